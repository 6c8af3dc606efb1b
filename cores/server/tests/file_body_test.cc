// File bodies (file_body.h): in the sans-IO session (offsets, lengths, order, HEAD, streamed
// parts, errors before and after the head, the descriptor closed once) and over real sockets
// on both transports (sendfile on epoll, pread + write on asio; a client that leaves mid-file).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "lapwise/server/server.h"
#include "lapwise/server/session.h"
#include "loopback_socket.h"

namespace lapwise::server {
namespace {

constexpr char date[] = "Tue, 01 Jan 2030 00:00:00 GMT";

// A temporary file of `size` bytes of a fixed pattern, removed with the object.
struct temp_file {
  explicit temp_file(std::size_t size) {
    char name[] = "/tmp/lapwise-file-body-XXXXXX";
    const int fd = ::mkstemp(name);
    path = name;
    bytes.resize(size);
    for (std::size_t i = 0; i < size; ++i)
      bytes[i] = static_cast<char>('a' + (i * 7 + i / 251) % 26);
    EXPECT_EQ(::write(fd, bytes.data(), size), static_cast<ssize_t>(size));
    ::close(fd);
  }
  ~temp_file() { std::filesystem::remove(path); }
  [[nodiscard]] int open() const { return ::open(path.c_str(), O_RDONLY | O_CLOEXEC); }
  // How many descriptors of this process are open on the file.
  [[nodiscard]] int opened() const {
    int n = 0;
    for (const auto& e : std::filesystem::directory_iterator("/proc/self/fd")) {
      std::error_code ec;
      if (std::filesystem::read_symlink(e.path(), ec) == path) ++n;
    }
    return n;
  }
  std::string path;
  std::string bytes;
};

bool is_open(int fd) { return ::fcntl(fd, F_GETFD) != -1; }

struct reply {
  int status;
  std::string body;
  std::string head;
};

std::vector<reply> parse_all(std::string_view out, std::string_view method = "GET") {
  std::vector<reply> got;
  thread_local std::vector<char> decoded(std::size_t{32} << 20);  // a chunked body, decoded
  while (!out.empty()) {
    std::array<parser::header, 32> hs;
    parser::response r;
    parser::limits lim;
    lim.max_body = decoded.size();
    const auto res = parser::parse_response(out, method, r, hs, decoded, false, lim);
    if (res.status != parser::parse_status::complete) break;
    got.push_back({r.status, std::string(r.body), std::string(out.substr(0, r.head_size))});
    out.remove_prefix(res.consumed);
  }
  return got;
}

// One session whose dynamic requests (GET /f, GET /g) are held for the test to answer.
struct file_session : detail::responder {
  file_session() {
    route_table t;
    EXPECT_FALSE(t.add_dynamic("GET", "/f", 1));
    EXPECT_FALSE(t.add_dynamic("GET", "/g", 2));
    config cfg;
    cfg.report = [this](std::string_view m) { reports.emplace_back(m); };
    svc = std::make_unique<service>(std::move(cfg), std::move(t));
    s = std::make_unique<session>(*svc, *this, ready, date);
    // Until a route has answered once, its pipelined requests are dispatched one at a time
    // (session.h); one small answer each lets the tests hold several at once.
    for (const char* get :
         {"GET /f HTTP/1.1\r\nHost: a\r\n\r\n", "GET /g HTTP/1.1\r\nHost: a\r\n\r\n"}) {
      for (request* r : take(get)) r->respond({200, "text/plain", {}, "warm"});
      drain();
    }
  }
  void complete(request& r, response&& resp) noexcept override { s->complete(r, std::move(resp)); }
  std::vector<request*> take(std::string_view bytes) {
    s->receive(bytes);
    std::vector<request*> got;
    got.swap(ready);
    return got;
  }
  // Writes everything as a transport would, the file parts in reads of `step` bytes.
  std::string drain(std::size_t step = 7000) {
    std::string out;
    std::vector<char> buf(step);
    for (;;) {
      const std::string_view o = s->output();
      if (!o.empty()) {
        out += o;
        s->consume(o.size());
        continue;
      }
      file_body* f = s->file_output();
      if (f == nullptr) return out;
      const ssize_t got = ::pread(f->fd(), buf.data(), std::min<std::uint64_t>(step, f->length()),
                                  static_cast<off_t>(f->offset()));
      EXPECT_GT(got, 0);
      if (got <= 0) return out;
      out.append(buf.data(), static_cast<std::size_t>(got));
      s->consume_file(static_cast<std::size_t>(got));
    }
  }
  std::unique_ptr<service> svc;
  std::unique_ptr<session> s;
  std::vector<request*> ready;
  std::vector<std::string> reports;
};

const std::string get_f = "GET /f HTTP/1.1\r\nHost: a\r\n\r\n";
const std::string get_g = "GET /g HTTP/1.1\r\nHost: a\r\n\r\n";

response with_file(int fd, std::uint64_t offset, std::uint64_t length, std::string body = {}) {
  response r{200, "application/octet-stream", {}, std::move(body)};
  r.file = file_body(fd, offset, length);
  return r;
}

TEST(FileBody, OffsetsAndLengths) {
  temp_file tf(100000);
  struct row {
    std::uint64_t offset, length;
    std::string body;  // sent before the file's bytes
  };
  for (const row& c : std::vector<row>{{0, 100000, ""},
                                       {10, 100, ""},
                                       {99999, 1, ""},
                                       {0, 0, ""},
                                       {100000, 0, ""},
                                       {500, 70001, "prefix:"},
                                       {3, 5, std::string(300000, 'x')}}) {
    SCOPED_TRACE(std::to_string(c.offset) + "+" + std::to_string(c.length));
    file_session fs;
    auto reqs = fs.take(get_f + get_g);
    ASSERT_EQ(reqs.size(), 2U);
    const int fd = tf.open();
    reqs[0]->respond(with_file(fd, c.offset, c.length, c.body));
    reqs[1]->respond({200, "text/plain", {}, "after"});
    const auto got = parse_all(fs.drain());
    ASSERT_EQ(got.size(), 2U);
    EXPECT_EQ(got[0].status, 200);
    EXPECT_EQ(got[0].body, c.body + tf.bytes.substr(c.offset, c.length));
    EXPECT_NE(got[0].head.find("Content-Length: " + std::to_string(c.body.size() + c.length)),
              std::string::npos);
    EXPECT_EQ(got[1].body, "after");
    EXPECT_FALSE(is_open(fd));
    EXPECT_TRUE(fs.reports.empty());
  }
}

TEST(FileBody, ACopyOwnsADescriptorOfItsOwn) {
  temp_file tf(10);
  file_body none;
  EXPECT_FALSE(none);
  EXPECT_FALSE(file_body(none));
  auto a = std::make_unique<file_body>(tf.open(), 2, 5);
  const file_body b(*a);
  EXPECT_TRUE(b);
  EXPECT_NE(a->fd(), b.fd());
  EXPECT_EQ(tf.opened(), 2);
  a.reset();
  EXPECT_EQ(tf.opened(), 1);  // the copy keeps its own
  EXPECT_FALSE(b.check());
  EXPECT_EQ(b.offset(), 2U);
  EXPECT_EQ(b.length(), 5U);
  const file_body bad(-7, 0, 1);  // any other negative value is a file that cannot be sent
  EXPECT_TRUE(bad);
  EXPECT_TRUE(file_body(bad));
  EXPECT_TRUE(bad.check());
}

TEST(FileBody, UnusableFilesAre500BeforeTheHeadAndClosed) {
  temp_file tf(1000);
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  ::close(fds[1]);
  struct row {
    const char* name;
    int fd;
    std::uint64_t offset, length;
    const char* says;
  };
  for (const row& c : std::vector<row>{{"past the end", tf.open(), 0, 1001, "past the end"},
                                       {"offset past the end", tf.open(), 1001, 0, "past the end"},
                                       {"not a file", fds[0], 0, 10, "not a regular file"},
                                       {"not open", 1000000, 0, 10, "fstat"}}) {
    SCOPED_TRACE(c.name);
    file_session fs;
    auto reqs = fs.take(get_f);
    ASSERT_EQ(reqs.size(), 1U);
    reqs[0]->respond(with_file(c.fd, c.offset, c.length));
    const auto got = parse_all(fs.drain());
    ASSERT_EQ(got.size(), 1U);
    EXPECT_EQ(got[0].status, 500);
    ASSERT_EQ(fs.reports.size(), 1U);
    EXPECT_NE(fs.reports[0].find(c.says), std::string::npos) << fs.reports[0];
    EXPECT_FALSE(is_open(c.fd));
  }
}

TEST(FileBody, HeadAnd304SendNoFileBytes) {
  temp_file tf(5000);
  file_session fs;
  auto reqs = fs.take("HEAD /f HTTP/1.1\r\nHost: a\r\n\r\n" + get_f);
  ASSERT_EQ(reqs.size(), 2U);
  const int a = tf.open(), b = tf.open();
  reqs[0]->respond(with_file(a, 0, 5000));
  response not_modified = with_file(b, 0, 5000);
  not_modified.status = 304;
  reqs[1]->respond(std::move(not_modified));
  EXPECT_FALSE(is_open(a));
  EXPECT_FALSE(is_open(b));
  const std::string out = fs.drain();
  const auto head = parse_all(out, "HEAD");
  ASSERT_GE(head.size(), 1U);
  EXPECT_NE(head[0].head.find("Content-Length: 5000"), std::string::npos);
  EXPECT_EQ(out.find("abc"), std::string::npos);  // no file byte at all
  EXPECT_NE(out.find("HTTP/1.1 304"), std::string::npos);
}

TEST(FileBody, WaitsBehindAnEarlierResponseAndKeepsTheOrder) {
  temp_file tf(300000);
  file_session fs;
  auto reqs = fs.take(get_g + get_f + get_g);
  ASSERT_EQ(reqs.size(), 3U);
  reqs[1]->respond(with_file(tf.open(), 1, 250000));
  reqs[2]->respond({200, "text/plain", {}, "third"});
  EXPECT_TRUE(fs.drain().empty());  // the first is still with the handler
  reqs[0]->respond({200, "text/plain", {}, "first"});
  const auto got = parse_all(fs.drain(65536));
  ASSERT_EQ(got.size(), 3U);
  EXPECT_EQ(got[0].body, "first");
  EXPECT_EQ(got[1].body, tf.bytes.substr(1, 250000));
  EXPECT_EQ(got[2].body, "third");
  EXPECT_TRUE(fs.s->done() == false);  // keep-alive: the session waits for more
}

response streamed(response::part kind, std::string body = {}) {
  response r{200, "text/plain", {}, std::move(body)};
  r.kind = kind;
  return r;
}

TEST(FileBody, StreamedPartsCarryFilesAsChunks) {
  temp_file tf(200000);
  file_session fs;
  auto reqs = fs.take(get_f + get_g);
  ASSERT_EQ(reqs.size(), 2U);
  request* r = reqs[0];
  response head = streamed(response::part::head, "<");
  head.file = file_body(tf.open(), 0, 100);
  r->respond(std::move(head));
  response mid = streamed(response::part::chunk, "|");
  mid.file = file_body(tf.open(), 100, 150000);
  r->respond(std::move(mid));
  response empty_file = streamed(response::part::chunk);
  empty_file.file = file_body(tf.open(), 7, 0);
  r->respond(std::move(empty_file));
  reqs[1]->respond({200, "text/plain", {}, "next"});  // waits behind the stream
  response last = streamed(response::part::end, ">");
  last.file = file_body(tf.open(), 150100, 49900);
  r->respond(std::move(last));
  const std::string out = fs.drain();
  const auto got = parse_all(out);
  ASSERT_EQ(got.size(), 2U) << out.substr(0, 300) << " ... " << out.substr(out.size() - 300);
  EXPECT_NE(got[0].head.find("Transfer-Encoding: chunked"), std::string::npos);
  EXPECT_EQ(got[0].body, "<" + tf.bytes.substr(0, 100) + "|" + tf.bytes.substr(100, 150000) + ">" +
                             tf.bytes.substr(150100, 49900));
  EXPECT_EQ(got[1].body, "next");
  EXPECT_EQ(tf.opened(), 0);
}

TEST(FileBody, Http10StreamsFilesUnframedAndCloses) {
  temp_file tf(5000);
  file_session fs;
  auto reqs = fs.take("GET /f HTTP/1.0\r\n\r\n");
  ASSERT_EQ(reqs.size(), 1U);
  request* r = reqs[0];
  r->respond(streamed(response::part::head, "["));
  response last = streamed(response::part::end, "]");
  last.file = file_body(tf.open(), 10, 4000);
  r->respond(std::move(last));
  const std::string out = fs.drain();
  const std::size_t body = out.find("\r\n\r\n") + 4;
  EXPECT_EQ(out.find("Transfer-Encoding"), std::string::npos);
  EXPECT_EQ(out.substr(body), "[]" + tf.bytes.substr(10, 4000));
  EXPECT_TRUE(fs.s->done());  // the close delimits the body
  EXPECT_EQ(tf.opened(), 0);
}

TEST(FileBody, AStreamedFileThatFailsAfterTheHeadEndsTheConnection) {
  temp_file tf(1000);
  file_session fs;
  auto reqs = fs.take(get_f);
  ASSERT_EQ(reqs.size(), 1U);
  request* r = reqs[0];
  r->respond(streamed(response::part::head, "start"));
  response bad = streamed(response::part::chunk);
  bad.file = file_body(tf.open(), 900, 200);  // 100 bytes past the end
  r->respond(std::move(bad));
  EXPECT_TRUE(r->gone());  // the producer is told to stop
  ASSERT_EQ(fs.reports.size(), 1U);
  r->respond(streamed(response::part::end, "never sent"));
  const std::string out = fs.drain();
  EXPECT_NE(out.find("start"), std::string::npos);
  EXPECT_EQ(out.find("never sent"), std::string::npos);
  EXPECT_EQ(out.find("0\r\n\r\n"), std::string::npos);  // no last chunk: the body is cut short
  EXPECT_TRUE(fs.s->done());                            // and the connection closes
  EXPECT_EQ(tf.opened(), 0);
}

TEST(FileBody, AConnectionClosedMidFileClosesItsFiles) {
  temp_file tf(100000);
  file_session fs;
  auto reqs = fs.take(get_f + get_g + get_f);
  ASSERT_EQ(reqs.size(), 3U);
  reqs[0]->respond(with_file(tf.open(), 0, 100000));
  reqs[2]->respond(with_file(tf.open(), 0, 100000));  // waits behind the held /g
  EXPECT_EQ(tf.opened(), 2);
  ASSERT_FALSE(fs.s->output().empty());
  fs.s->consume(fs.s->output().size());  // the head went out, the file is next
  ASSERT_NE(fs.s->file_output(), nullptr);
  fs.s->consume_file(1000);
  fs.s->closed();
  EXPECT_EQ(tf.opened(), 0);
  reqs[1]->respond({200, "text/plain", {}, "late"});  // still completes, sends nothing
  EXPECT_EQ(tf.opened(), 0);
}

// ------------------------------------------------------------------------- over sockets

// GET /file: the whole file; GET /part: bytes [1000, 6000); GET /stream: "<", the file as one
// chunk, ">" (each part sent when the previous one was taken).
class file_handler : public handler {
 public:
  explicit file_handler(const temp_file& tf) : tf_(tf) {}
  void handle(std::span<request* const> batch) noexcept override {
    for (request* r : batch) {
      const int fd = tf_.open();
      if (r->route() == 1) {
        r->respond(with_file(fd, 0, tf_.bytes.size()));
      } else if (r->route() == 2) {
        r->respond(with_file(fd, 1000, 5000));
      } else if (!r->resumed()) {
        ::close(fd);
        r->set_context(r);
        r->respond(streamed(response::part::head, "<"));
      } else if (r->context() == r) {
        r->set_context(nullptr);
        response mid = streamed(response::part::chunk);
        mid.file = file_body(fd, 0, tf_.bytes.size());
        r->respond(std::move(mid));
      } else {
        ::close(fd);
        r->respond(streamed(response::part::end, ">"));
      }
    }
  }

 private:
  const temp_file& tf_;
};

// Reads until `count` responses parsed (or the peer closed, or the receive timeout).
std::vector<reply> read_replies(int fd, std::size_t count) {
  std::string buf;
  std::vector<char> tmp(1 << 20);
  for (;;) {
    auto got = parse_all(buf);
    if (got.size() >= count) return got;
    const ssize_t n = ::recv(fd, tmp.data(), tmp.size(), 0);
    if (n <= 0) return got;
    buf.append(tmp.data(), static_cast<std::size_t>(n));
  }
}

class ServerFiles : public ::testing::TestWithParam<io_mode> {
 protected:
  ServerFiles() : tf(24 << 20), h(tf) {
    config cfg;
    cfg.io = GetParam();
    route_table t;
    EXPECT_FALSE(t.add_dynamic("GET", "/file", 1));
    EXPECT_FALSE(t.add_dynamic("GET", "/part", 2));
    EXPECT_FALSE(t.add_dynamic("GET", "/stream", 3));
    srv = std::make_unique<server>(std::move(cfg), std::move(t), &h);
    EXPECT_FALSE(srv->start());
  }
  temp_file tf;
  file_handler h;
  std::unique_ptr<server> srv;
};

TEST_P(ServerFiles, PipelinedFilesArriveWholeAndInOrder) {
  const int fd = loopback::connect_to(srv->port());
  const std::string reqs =
      "GET /part HTTP/1.1\r\nHost: a\r\n\r\n"
      "GET /file HTTP/1.1\r\nHost: a\r\n\r\n"
      "GET /stream HTTP/1.1\r\nHost: a\r\n\r\n"
      "GET /part HTTP/1.1\r\nHost: a\r\n\r\n";
  ASSERT_EQ(::send(fd, reqs.data(), reqs.size(), MSG_NOSIGNAL), static_cast<ssize_t>(reqs.size()));
  const auto got = read_replies(fd, 4);
  ::close(fd);
  ASSERT_EQ(got.size(), 4U);
  EXPECT_EQ(got[0].body, tf.bytes.substr(1000, 5000));
  EXPECT_TRUE(got[1].body == tf.bytes) << got[1].body.size();
  EXPECT_TRUE(got[2].body == "<" + tf.bytes + ">") << got[2].body.size();
  EXPECT_EQ(got[3].body, tf.bytes.substr(1000, 5000));
}

TEST_P(ServerFiles, AClientThatLeavesMidFileClosesTheFile) {
  const int fd = loopback::connect_to(srv->port());
  const std::string req = "GET /file HTTP/1.1\r\nHost: a\r\n\r\n";
  ASSERT_EQ(::send(fd, req.data(), req.size(), MSG_NOSIGNAL), static_cast<ssize_t>(req.size()));
  char some[65536];
  ASSERT_GT(::recv(fd, some, sizeof some, 0), 0);
  ::close(fd);  // 24 MB are far more than the socket buffers hold: the server is mid-file
  int open = tf.opened();
  for (int i = 0; i < 500 && open != 0; ++i) {  // a state to reach, not a time to measure
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    open = tf.opened();
  }
  EXPECT_EQ(open, 0);
  const int again = loopback::connect_to(srv->port());  // and the server still serves
  const std::string part = "GET /part HTTP/1.1\r\nHost: a\r\n\r\n";
  ASSERT_EQ(::send(again, part.data(), part.size(), MSG_NOSIGNAL),
            static_cast<ssize_t>(part.size()));
  const auto got = read_replies(again, 1);
  ::close(again);
  ASSERT_EQ(got.size(), 1U);
  EXPECT_EQ(got[0].body, tf.bytes.substr(1000, 5000));
}

INSTANTIATE_TEST_SUITE_P(Transports, ServerFiles, ::testing::Values(io_mode::asio, io_mode::epoll),
                         [](const auto& info) { return std::string(io_mode_name(info.param)); });

}  // namespace
}  // namespace lapwise::server
