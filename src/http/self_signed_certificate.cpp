// EnsureSelfSignedCertificate (declared in http/server.hpp): a certificate for phones on the LAN,
// whose cameras work only over HTTPS. OpenSSL stays inside this file and server.cpp.
#include <arpa/inet.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "http/server.hpp"

namespace bulwark::http {
namespace {

namespace fs = std::filesystem;

constexpr long kValidDays = 825;

template <class T, void (*Free)(T*)>
struct Deleter {
    void operator()(T* p) const { Free(p); }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using CertPtr = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;
using ExtPtr = std::unique_ptr<X509_EXTENSION, Deleter<X509_EXTENSION, X509_EXTENSION_free>>;
using BignumPtr = std::unique_ptr<BIGNUM, Deleter<BIGNUM, BN_free>>;

// The last OpenSSL error as text, clearing the queue.
std::string OpenSslError(const char* what) {
    std::string text = std::string("生成 TLS 证书失败 (") + what + ")";
    unsigned long code = ERR_get_error();
    if (code != 0) {
        char buffer[256];
        ERR_error_string_n(code, buffer, sizeof(buffer));
        text += ": ";
        text += buffer;
    }
    ERR_clear_error();
    return text;
}

// "DNS:localhost,IP:127.0.0.1,IP:<each non-loopback IPv4 address of this machine>".
std::string SubjectAltNames() {
    std::string names = "DNS:localhost,IP:127.0.0.1";
    ifaddrs* list = nullptr;
    if (getifaddrs(&list) != 0) return names;
    for (ifaddrs* entry = list; entry != nullptr; entry = entry->ifa_next) {
        if (entry->ifa_addr == nullptr || entry->ifa_addr->sa_family != AF_INET) continue;
        const auto* address = reinterpret_cast<const sockaddr_in*>(entry->ifa_addr);
        if ((ntohl(address->sin_addr.s_addr) >> 24) == 127) continue;
        char text[INET_ADDRSTRLEN];
        if (inet_ntop(AF_INET, &address->sin_addr, text, sizeof(text)) == nullptr) continue;
        std::string item = std::string(",IP:") + text;
        if (names.find(item) == std::string::npos) names += item;
    }
    freeifaddrs(list);
    return names;
}

bool AddExtension(X509* cert, int nid, const std::string& value) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
    ExtPtr extension(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str()));
    return extension && X509_add_ext(cert, extension.get(), -1) == 1;
}

Result<std::string> ToPem(bool is_key, EVP_PKEY* key, X509* cert) {
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio) return Internal(OpenSslError("BIO_new"));
    int ok = is_key
                 ? PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr)
                 : PEM_write_bio_X509(bio.get(), cert);
    if (ok != 1) return Internal(OpenSslError("PEM_write"));
    char* data = nullptr;
    long size = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<size_t>(size));
}

// Writes `content` to `path` through a temporary file and rename, so that a crash never leaves
// half a key that would later be reused.
Status WriteFileAtomically(const fs::path& path, const std::string& content, mode_t mode) {
    fs::path temporary = path;
    temporary += ".tmp";
    int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0) return Internal("无法写入 " + temporary.string() + ": " + std::strerror(errno));
    size_t written = 0;
    while (written < content.size()) {
        ssize_t n = ::write(fd, content.data() + written, content.size() - written);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            std::string why = std::strerror(errno);
            ::close(fd);
            return Internal("无法写入 " + temporary.string() + ": " + why);
        }
        written += static_cast<size_t>(n);
    }
    if (::fchmod(fd, mode) != 0 || ::fsync(fd) != 0 || ::close(fd) != 0) {
        return Internal("无法写入 " + temporary.string() + ": " + std::strerror(errno));
    }
    if (::rename(temporary.c_str(), path.c_str()) != 0) {
        return Internal("无法写入 " + path.string() + ": " + std::strerror(errno));
    }
    return Ok();
}

Result<CertPtr> MakeCertificate(EVP_PKEY* key) {
    CertPtr cert(X509_new());
    if (!cert) return Internal(OpenSslError("X509_new"));
    unsigned char serial_bytes[16];
    if (RAND_bytes(serial_bytes, sizeof(serial_bytes)) != 1) {
        return Internal(OpenSslError("RAND_bytes"));
    }
    serial_bytes[0] &= 0x7f;  // a positive serial number
    BignumPtr serial(BN_bin2bn(serial_bytes, sizeof(serial_bytes), nullptr));
    if (!serial || X509_set_version(cert.get(), X509_VERSION_3) != 1 ||
        BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get())) == nullptr ||
        X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600) == nullptr ||
        X509_gmtime_adj(X509_getm_notAfter(cert.get()), kValidDays * 24 * 3600) == nullptr ||
        X509_set_pubkey(cert.get(), key) != 1) {
        return Internal(OpenSslError("X509 fields"));
    }
    X509_NAME* name = X509_get_subject_name(cert.get());
    const auto* common_name = reinterpret_cast<const unsigned char*>("Bulwark");
    if (X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, common_name, -1, -1, 0) != 1 ||
        X509_set_issuer_name(cert.get(), name) != 1) {
        return Internal(OpenSslError("X509 name"));
    }
    if (!AddExtension(cert.get(), NID_basic_constraints, "critical,CA:FALSE") ||
        !AddExtension(cert.get(), NID_key_usage, "critical,digitalSignature") ||
        !AddExtension(cert.get(), NID_ext_key_usage, "serverAuth") ||
        !AddExtension(cert.get(), NID_subject_key_identifier, "hash") ||
        !AddExtension(cert.get(), NID_subject_alt_name, SubjectAltNames())) {
        return Internal(OpenSslError("X509 extensions"));
    }
    if (X509_sign(cert.get(), key, EVP_sha256()) == 0) return Internal(OpenSslError("X509_sign"));
    return cert;
}

}  // namespace

Result<std::pair<std::string, std::string>> EnsureSelfSignedCertificate(const std::string& dir) {
    const fs::path cert_path = fs::path(dir) / "cert.pem";
    const fs::path key_path = fs::path(dir) / "key.pem";
    std::error_code ec;
    if (fs::exists(cert_path, ec) && fs::exists(key_path, ec)) {
        return std::pair(cert_path.string(), key_path.string());
    }
    if (!fs::is_directory(dir, ec)) {
        if (!fs::create_directories(dir, ec) && ec) {
            return Internal("无法创建目录 " + dir + ": " + ec.message());
        }
        fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace, ec);
        if (ec) return Internal("无法设置目录权限 " + dir + ": " + ec.message());
    }

    KeyPtr key(EVP_EC_gen("P-256"));
    if (!key) return Internal(OpenSslError("EVP_EC_gen"));
    ASSIGN_OR_RETURN(CertPtr cert, MakeCertificate(key.get()));
    ASSIGN_OR_RETURN(std::string key_pem, ToPem(true, key.get(), nullptr));
    ASSIGN_OR_RETURN(std::string cert_pem, ToPem(false, nullptr, cert.get()));
    // The key first: a certificate without its key is never taken for a complete pair.
    RETURN_IF_ERROR(WriteFileAtomically(key_path, key_pem, 0600));
    RETURN_IF_ERROR(WriteFileAtomically(cert_path, cert_pem, 0600));
    return std::pair(cert_path.string(), key_path.string());
}

}  // namespace bulwark::http
