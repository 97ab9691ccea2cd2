#include "registry/codes/code_cards.hpp"

#include <cairo-pdf.h>

#include <pango/pangocairo.h>
#include <algorithm>

#include "registry/codes/qr_code.hpp"

namespace bulwark::registry {
namespace {

constexpr double kPageWidth = 595.28;  // A4 in points
constexpr double kPageHeight = 841.89;
constexpr double kMargin = 36;
constexpr double kHeadingHeight = 28;
constexpr int kColumns = 2;
constexpr int kRows = 4;

cairo_status_t Append(void* closure, const unsigned char* data, unsigned int length) {
    static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
    return CAIRO_STATUS_SUCCESS;
}

void Text(cairo_t* cr, const std::string& text, const char* font, double x, double y,
          double width) {
    PangoLayout* layout = pango_cairo_create_layout(cr);
    PangoFontDescription* desc = pango_font_description_from_string(font);
    pango_layout_set_font_description(layout, desc);
    pango_layout_set_width(layout, static_cast<int>(width * PANGO_SCALE));
    pango_layout_set_wrap(layout, PANGO_WRAP_WORD_CHAR);
    pango_layout_set_text(layout, text.c_str(), -1);
    cairo_move_to(cr, x, y);
    pango_cairo_show_layout(cr, layout);
    pango_font_description_free(desc);
    g_object_unref(layout);
}

void DrawQr(cairo_t* cr, const QrMatrix& qr, double x, double y, double size) {
    const double module = size / (qr.width + 8);  // with a 4-module quiet zone each side
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_rectangle(cr, x, y, size, size);
    cairo_fill(cr);
    cairo_set_source_rgb(cr, 0, 0, 0);
    for (int my = 0; my < qr.width; ++my) {
        for (int mx = 0; mx < qr.width; ++mx) {
            if (qr.Dark(mx, my)) {
                cairo_rectangle(cr, x + (mx + 4) * module, y + (my + 4) * module, module, module);
            }
        }
    }
    cairo_fill(cr);
}

Status DrawCard(cairo_t* cr, const CodeCard& card, double x, double y, double w, double h) {
    cairo_save(cr);
    const double dash[] = {4, 3};
    cairo_set_dash(cr, dash, 2, 0);
    cairo_set_line_width(cr, 0.6);
    cairo_set_source_rgb(cr, 0.55, 0.55, 0.55);
    cairo_rectangle(cr, x, y, w, h);
    cairo_stroke(cr);
    cairo_restore(cr);

    ASSIGN_OR_RETURN(QrMatrix qr, EncodeQr(card.link));
    // The code on the left, the person on the right, the instructions across the bottom.
    const double qr_size = std::min(h - 60, w * 0.5);
    DrawQr(cr, qr, x + 10, y + 10, qr_size);
    const double text_x = x + 20 + qr_size;
    const double text_w = w - qr_size - 30;
    cairo_set_source_rgb(cr, 0, 0, 0);
    Text(cr, "个人采样码", "Noto Sans CJK SC 9", text_x, y + 14, text_w);
    Text(cr, card.masked_name, "Noto Sans CJK SC Bold 20", text_x, y + 32, text_w);
    Text(cr, card.place, "Noto Sans CJK SC 12", text_x, y + 72, text_w);
    cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
    Text(cr, "采样时出示此码。请妥善保管; 遗失请到社区补办, 补办后旧码失效。", "Noto Sans CJK SC 8",
         x + 10, y + 18 + qr_size, w - 20);
    return Ok();
}

}  // namespace

Result<std::string> RenderCodeCards(const std::vector<CodeCard>& cards,
                                    const std::string& heading) {
    std::string pdf;
    cairo_surface_t* surface =
        cairo_pdf_surface_create_for_stream(Append, &pdf, kPageWidth, kPageHeight);
    cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, "个人采样码");
    cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, "Bulwark");
    cairo_t* cr = cairo_create(surface);
    const double card_w = (kPageWidth - 2 * kMargin) / kColumns;
    const double card_h = (kPageHeight - 2 * kMargin - kHeadingHeight) / kRows;
    Status drawn = Ok();
    const size_t pages = std::max<size_t>(1, (cards.size() + kCardsPerPage - 1) / kCardsPerPage);
    for (size_t page = 0; page < pages && drawn.ok(); ++page) {
        cairo_set_source_rgb(cr, 0, 0, 0);
        Text(cr,
             heading + "   第 " + std::to_string(page + 1) + " / " + std::to_string(pages) + " 页",
             "Noto Sans CJK SC 10", kMargin, kMargin, kPageWidth - 2 * kMargin);
        for (int i = 0; i < kCardsPerPage && drawn.ok(); ++i) {
            size_t index = page * kCardsPerPage + static_cast<size_t>(i);
            if (index >= cards.size()) break;
            double x = kMargin + (i % kColumns) * card_w;
            double y = kMargin + kHeadingHeight + (i / kColumns) * card_h;
            drawn = DrawCard(cr, cards[index], x, y, card_w, card_h);
        }
        cairo_show_page(cr);
    }
    cairo_destroy(cr);
    cairo_surface_finish(surface);
    cairo_status_t status = cairo_surface_status(surface);
    cairo_surface_destroy(surface);
    if (!drawn.ok()) return std::move(drawn).error();
    if (status != CAIRO_STATUS_SUCCESS) {
        return Internal(std::string("生成 PDF 失败: ") + cairo_status_to_string(status));
    }
    return pdf;
}

}  // namespace bulwark::registry
