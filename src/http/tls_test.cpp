#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/json/parse.hpp>

#include "http/server_test_fixture.hpp"

namespace bulwark::http::testing {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace fs = std::filesystem;

std::string ReadFile(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream content;
    content << in.rdbuf();
    return content.str();
}

class TlsTest : public ServerTest {
protected:
    TlsTest() : dir_(fs::temp_directory_path() / ("bulwark_tls_" + std::to_string(::getpid()))) {
        fs::remove_all(dir_);
    }
    ~TlsTest() override { fs::remove_all(dir_); }

    fs::path dir_;
};

TEST_F(TlsTest, SelfSignedCertificateIsCreatedOnceWithPrivateModes) {
    fs::path certs = dir_ / "tls";
    auto files = EnsureSelfSignedCertificate(certs.string());
    ASSERT_TRUE(files.ok()) << files.error().message;
    EXPECT_EQ(files->first, (certs / "cert.pem").string());
    EXPECT_EQ(files->second, (certs / "key.pem").string());

    struct stat info {};
    ASSERT_EQ(::stat(files->second.c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 0777, 0600u);
    ASSERT_EQ(::stat(certs.c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 0777, 0700u);

    // The certificate names localhost and 127.0.0.1 and is valid for about 825 days.
    FILE* pem = std::fopen(files->first.c_str(), "r");
    ASSERT_NE(pem, nullptr);
    X509* cert = PEM_read_X509(pem, nullptr, nullptr, nullptr);
    std::fclose(pem);
    ASSERT_NE(cert, nullptr);
    EXPECT_EQ(X509_check_host(cert, "localhost", 0, 0, nullptr), 1);
    EXPECT_EQ(X509_check_ip_asc(cert, "127.0.0.1", 0), 1);
    int days = 0;
    int seconds = 0;
    ASSERT_EQ(ASN1_TIME_diff(&days, &seconds, X509_get0_notBefore(cert), X509_get0_notAfter(cert)),
              1);
    EXPECT_GE(days, 825);
    EXPECT_LE(days, 826);
    X509_free(cert);

    // A second call reuses the pair.
    std::string before = ReadFile(files->first);
    auto again = EnsureSelfSignedCertificate(certs.string());
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(ReadFile(again->first), before);
}

TEST_F(TlsTest, HttpsRoundTripTrustingTheSelfSignedCertificate) {
    auto files = EnsureSelfSignedCertificate((dir_ / "tls").string());
    ASSERT_TRUE(files.ok()) << files.error().message;
    options_.tls_cert_file = files->first;
    options_.tls_key_file = files->second;
    StartServer();

    asio::io_context ioc;
    asio::ssl::context client_tls(asio::ssl::context::tls_client);
    client_tls.load_verify_file(files->first);
    client_tls.set_verify_mode(asio::ssl::verify_peer);
    beast::ssl_stream<beast::tcp_stream> stream(ioc, client_tls);
    ASSERT_TRUE(SSL_set_tlsext_host_name(stream.native_handle(), "localhost"));
    stream.set_verify_callback(asio::ssl::host_name_verification("localhost"));
    beast::get_lowest_layer(stream).connect(
        asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_));
    stream.handshake(asio::ssl::stream_base::client);

    for (int i = 0; i < 2; ++i) {  // keep-alive over TLS
        beast::http::request<beast::http::empty_body> request(beast::http::verb::get,
                                                              "/api/v1/echo?q=tls", 11);
        request.set(beast::http::field::host, "localhost");
        beast::http::write(stream, request);
        beast::flat_buffer buffer;
        beast::http::response<beast::http::string_body> response;
        beast::http::read(stream, buffer, response);
        EXPECT_EQ(response.result_int(), 200u);
        EXPECT_FALSE(response["X-Request-Id"].empty());
        auto body = boost::json::parse(response.body());
        EXPECT_EQ(body.at("secure"), true);
        EXPECT_EQ(body.at("q"), "tls");
    }
    beast::error_code ec;
    stream.shutdown(ec);
}

TEST_F(TlsTest, PlainHttpToTheTlsPortIsClosed) {
    auto files = EnsureSelfSignedCertificate((dir_ / "tls").string());
    ASSERT_TRUE(files.ok());
    options_.tls_cert_file = files->first;
    options_.tls_key_file = files->second;
    StartServer();
    TestClient client(port_, 3000);
    ASSERT_TRUE(client.Send(RawRequest("GET", "/healthz")));
    EXPECT_FALSE(client.Read());
}

TEST_F(TlsTest, MissingKeyFileFailsStart) {
    options_.tls_cert_file = (dir_ / "nope.pem").string();
    options_.tls_key_file = (dir_ / "nope.key").string();
    Server server(options_, router_);
    auto port = server.Start();
    ASSERT_FALSE(port.ok());
    EXPECT_EQ(port.error().code, ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace bulwark::http::testing
