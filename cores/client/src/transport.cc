// The transport: lapwise's scheduler decides what starts when (redirect hops included);
// libcurl's multi interface does the HTTP (connections, TLS, HTTP/2, decompression), one hop
// per transfer. One thread, one CURLM driven
// through curl_multi_socket_action on an epoll set (cost per event, not per transfer: the
// perform/poll pair walks every transfer on every turn, which dominated at 64 in flight), a
// pool of easy handles that are reused (their connection cache stays warm), and an eventfd
// that cancel() writes to wake the wait.
#include <curl/curl.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <new>
#include <random>
#include <unordered_map>

#include "detail.h"
#include "lapwise/client/backoff.h"
#include "lapwise/client/client.h"
#include "lapwise/client/header_line.h"
#include "lapwise/client/retry_after.h"
#include "lapwise/client/scheduler.h"
#include "lapwise/common/inject.h"

namespace lapwise::client {

namespace detail {

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

}  // namespace detail

namespace {

using std::chrono::duration_cast;
using std::chrono::milliseconds;

constexpr std::size_t kTypicalFields = 8;

double seconds(duration d) { return std::chrono::duration<double>(d).count(); }

error_kind classify(CURLcode rc) noexcept {
  switch (rc) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
      return error_kind::connect;
    case CURLE_OPERATION_TIMEDOUT:
      return error_kind::timeout;
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
      return error_kind::reset;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
      return error_kind::tls;
    case CURLE_TOO_MANY_REDIRECTS:
      return error_kind::redirects;
    // Redirects are followed by the scheduler (never by libcurl) and every URL is checked to be
    // http/https before it is used, so libcurl's "unsupported protocol" can only be a response
    // it could not read as HTTP (a status line like "HTTP/1.1 2000", HTTP/0.9).
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_BAD_CONTENT_ENCODING:
    case CURLE_HTTP3:
      return error_kind::protocol;
    case CURLE_WRITE_ERROR:
      return error_kind::too_large;  // only our callbacks refuse data, at a limit
    default:
      return error_kind::other;
  }
}

// CURLINFO_HTTP_VERSION's answer in lapwise's terms; anything newer than this libcurl's
// constants (or 0: no response yet) is unknown rather than guessed.
http_version version_of(long curl_version) noexcept {
  switch (curl_version) {
    case CURL_HTTP_VERSION_1_0:
      return http_version::v1_0;
    case CURL_HTTP_VERSION_1_1:
      return http_version::v1_1;
    case CURL_HTTP_VERSION_2_0:
      return http_version::v2;
    case CURL_HTTP_VERSION_3:
      return http_version::v3;
    default:
      return http_version::unknown;
  }
}

}  // namespace

class transport {
 public:
  explicit transport(batch& b) : b_(b), p_(b.policy_) {}
  ~transport();
  void run(const std::function<void(std::size_t)>& on_result);

 private:
  // Which limit ended a transfer (the callbacks refuse the data; libcurl then reports
  // CURLE_WRITE_ERROR, which says nothing about why).
  enum class over : std::uint8_t { none, body, header_bytes, header_count, memory };

  struct transfer {
    transport* owner = nullptr;
    CURL* easy = nullptr;
    std::uint32_t index = 0;
    bool busy = false;
    bool configured = false;  // common options are set
    bool plain_get = false;   // configured as a body-less GET, reusable by setting the URL only
    bool idempotent = true;   // of the method this hop sends
    bool keep_body = true;    // false for a redirect's hop: its body is read and dropped
    bool head_done = false;   // a complete response head arrived
    bool resend_refused = false;
    over limit = over::none;
    int status = 0;
    int fd = -1;              // the connection's socket (from PREREQFUNCTION)
    std::uint32_t sends = 0;  // PREREQFUNCTION calls: requests libcurl was about to send
    std::size_t head_bytes = 0;
    time_point started{};
    time_point last_activity{};
    std::vector<header> headers;
    std::string body;
    char errbuf[CURL_ERROR_SIZE] = {};
  };

  // Where a redirected request goes next (kept only while a request is being redirected).
  struct hop_state {
    std::string url;
    std::string method;
    bool drop_body = false;
    curl_slist* headers = nullptr;  // the request's fields, credentials dropped off-host
    std::uint32_t count = 0;        // hops followed so far
    std::uint32_t host = 0;         // the scheduler's id of the current URL's host
  };

  static std::size_t on_header(char* data, std::size_t size, std::size_t n, void* user);
  static std::size_t on_body(char* data, std::size_t size, std::size_t n, void* user);
  // Makes room for `need` body bytes; false when memory ran out.
  bool grow_body(transfer& t, std::size_t need) noexcept;
  static int on_prereq(void* user, char*, char*, int, int);
  static int on_socket(CURL*, curl_socket_t fd, int what, void* user, void* socket_data);
  static int on_timer(CURLM*, long timeout_ms, void* user);
  static curl_socket_t on_open_socket(void* user, curlsocktype, curl_sockaddr* address);

  void configure_common(transfer& t);
  void start(const dispatch& d);
  void finish(transfer& t, CURLcode rc);
  // After a 3xx: queues the next hop and returns true, or sets `*why` and returns false.
  bool follow(transfer& t, std::string* why);
  void finish_result(transfer& t, const attempt_outcome& outcome, std::string message);
  void fail_stalled();
  void cancel_all();
  bool drain_messages();  // true if any transfer finished
  void run_due_timer();
  int wait_ms();
  curl_slist* request_headers(std::uint32_t index);

  batch& b_;
  const policy& p_;
  std::function<void(std::size_t)> on_result_;
  CURLM* multi_ = nullptr;
  int epoll_fd_ = -1;
  int wake_fd_ = -1;                      // eventfd: cancel() wakes epoll_wait through it
  std::optional<time_point> curl_timer_;  // when libcurl wants CURL_SOCKET_TIMEOUT
  std::unique_ptr<scheduler> sched_;
  std::vector<transfer> pool_;
  std::vector<transfer*> free_;
  std::vector<curl_slist*> slists_;   // per request, built on its first attempt
  std::vector<std::uint32_t> extra_;  // per request: libcurl's silent resends
  std::vector<time_point> first_start_;
  std::vector<time_point> first_start_attempt_;        // per request, when total_timeout is set
  std::vector<bool> idempotent_;                       // per request, of its own method
  std::unordered_map<std::uint32_t, hop_state> hops_;  // requests being redirected
  std::unordered_map<std::string, std::uint32_t> host_ids_;
  std::vector<time_point> fd_activity_;        // per socket: when epoll last reported it ready
  static constexpr std::uint8_t kInSet = 1;    // in the epoll set ...
  static constexpr std::uint8_t kIn = 2;       // ... for EPOLLIN
  static constexpr std::uint8_t kOut = 4;      // ... for EPOLLOUT
  static constexpr std::uint8_t kWatched = 8;  // libcurl wants its events
  std::vector<std::uint8_t> fd_state_;         // per socket number
  bool env_proxy_ = true;  // some *_proxy variable is set: let libcurl apply them
  time_point now_{};
  time_point next_stall_check_{};
  duration stall_check_every_{};
};

transport::~transport() {
  {
    std::lock_guard lock(b_.wake_mutex_);
    b_.wake_fd_ = -1;
  }
  for (auto& t : pool_) {
    if (t.busy) curl_multi_remove_handle(multi_, t.easy);
    if (t.easy) curl_easy_cleanup(t.easy);
  }
  if (multi_) curl_multi_cleanup(multi_);
  for (curl_slist* s : slists_) curl_slist_free_all(s);
  for (auto& [index, hop] : hops_) curl_slist_free_all(hop.headers);
  if (epoll_fd_ >= 0) ::close(epoll_fd_);
  if (wake_fd_ >= 0) ::close(wake_fd_);
}

int transport::on_socket(CURL* easy, curl_socket_t fd, int what, void* user, void* socket_data) {
  auto& self = *static_cast<transport*>(user);
  if (fd < 0) return 0;
  auto& state = self.fd_state_;
  if (static_cast<std::size_t>(fd) >= state.size()) state.resize(fd + 64, 0);
  if (what == CURL_POLL_REMOVE) {
    // Left in the epoll set: libcurl removes a keep-alive connection's socket after every
    // transfer and adds it back for the next one, and a DEL/ADD pair per request is measurable.
    // An event on an unwatched socket removes it then (run()); closing it removes it as well.
    state[fd] &= static_cast<std::uint8_t>(~kWatched);
    return 0;
  }
  (void)socket_data;
  // The transfer that now waits on this socket: epoll's events on it are its progress.
  transfer* t = nullptr;
  if (easy && curl_easy_getinfo(easy, CURLINFO_PRIVATE, &t) == CURLE_OK && t) t->fd = fd;
  std::uint8_t want =
      kInSet | ((what & CURL_POLL_IN) ? kIn : 0) | ((what & CURL_POLL_OUT) ? kOut : 0);
  // Already in the set for these events: the usual case for the next request on a keep-alive
  // connection, which then costs no system call. The state is exact because every socket
  // libcurl makes comes through on_open_socket(), which forgets what an earlier socket with
  // the same number had (closing it took it out of the set).
  if ((state[fd] & ~kWatched) == want) {
    state[fd] |= kWatched;
    return 0;
  }
  epoll_event ev{};
  ev.events = ((want & kIn) ? EPOLLIN : 0u) | ((want & kOut) ? EPOLLOUT : 0u);
  ev.data.fd = fd;
  if (state[fd] & kInSet) {
    if (epoll_ctl(self.epoll_fd_, EPOLL_CTL_MOD, fd, &ev) != 0 && errno == ENOENT) {
      epoll_ctl(self.epoll_fd_, EPOLL_CTL_ADD, fd, &ev);
    }
  } else if (epoll_ctl(self.epoll_fd_, EPOLL_CTL_ADD, fd, &ev) != 0 && errno == EEXIST) {
    epoll_ctl(self.epoll_fd_, EPOLL_CTL_MOD, fd, &ev);
  }
  state[fd] = want | kWatched;
  return 0;
}

curl_socket_t transport::on_open_socket(void* user, curlsocktype, curl_sockaddr* address) {
  auto& self = *static_cast<transport*>(user);
  int fd = ::socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
  if (fd < 0) return CURL_SOCKET_BAD;
  if (static_cast<std::size_t>(fd) < self.fd_state_.size()) self.fd_state_[fd] = 0;
  return fd;
}

int transport::on_timer(CURLM*, long timeout_ms, void* user) {
  auto& self = *static_cast<transport*>(user);
  if (timeout_ms < 0) {
    self.curl_timer_.reset();
  } else {
    self.curl_timer_ = clock::now() + milliseconds(timeout_ms);
  }
  return 0;
}

std::size_t transport::on_header(char* data, std::size_t size, std::size_t n, void* user) {
  auto& t = *static_cast<transfer*>(user);
  const policy& p = t.owner->p_;
  std::size_t len = size * n;
  t.last_activity = t.owner->now_;
  // Counted over every head of the attempt (1xx heads too), so that a server sending heads
  // forever is cut off as surely as one sending one huge head.
  t.head_bytes += len;
  if (t.head_bytes > p.max_header_bytes) {
    t.limit = over::header_bytes;
    return 0;  // != len: libcurl aborts the transfer with CURLE_WRITE_ERROR
  }
  header_line line = parse_header_line(std::string_view(data, len));
  if (line.type == header_line::kind::status) {
    // A new response head (after a 1xx): only the last one is the result's.
    t.status = line.status;
    t.headers.clear();
  } else if (line.type == header_line::kind::field) {
    if (t.headers.size() >= p.max_headers) {
      t.limit = over::header_count;
      return 0;
    }
    auto& [name, value] = t.headers.emplace_back(line.name, line.value);
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  } else if (line.type == header_line::kind::end && t.status >= 200) {
    t.head_done = true;
    int s = t.status;
    if (p.follow_redirects && (s == 301 || s == 302 || s == 303 || s == 307 || s == 308)) {
      // A hop to be followed: its body is read (and limited) but not kept.
      for (const auto& [name, value] : t.headers) {
        if (name == "location") t.keep_body = false;
      }
    }
  }
  return len;
}

std::size_t transport::on_body(char* data, std::size_t size, std::size_t n, void* user) {
  auto& t = *static_cast<transfer*>(user);
  const std::size_t max = t.owner->p_.max_body_bytes;
  std::size_t len = size * n;
  t.last_activity = t.owner->now_;
  std::size_t need = t.body.size() + len;
  if (need > max) {
    t.limit = over::body;
    return 0;  // != len: libcurl aborts the transfer with CURLE_WRITE_ERROR
  }
  if (!t.keep_body) return len;  // a redirect's body: counted against the limit, not kept
  if (need > t.body.capacity()) {
    if (!t.owner->grow_body(t, need)) {
      t.limit = over::memory;
      return 0;
    }
  }
  t.body.append(data, len);
  return len;
}

bool transport::grow_body(transfer& t, std::size_t need) noexcept {
  constexpr std::size_t kSmall = std::size_t{1} << 20;
  constexpr std::size_t kJump = std::size_t{64} << 20;
  const std::size_t max = p_.max_body_bytes;
  std::size_t cap = t.body.capacity();
  std::size_t want;
  if (cap == 0 && t.body.empty()) {
    // The first bytes: an identity body of known length gets exactly its size.
    curl_off_t length = -1;
    curl_easy_getinfo(t.easy, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &length);
    bool encoded = false;
    for (const auto& [name, value] : t.headers) encoded |= name == "content-encoding";
    want = length > 0 && !encoded ? static_cast<std::size_t>(length) : need;
  } else if (need <= kSmall) {
    want = 2 * cap;  // small bodies grow geometrically
  } else if (cap < kJump) {
    // One jump instead of doubling: a large block's pages become resident only as they are
    // written, while every doubling would hold the old and the new buffer at once (1.5x the
    // limit at the peak). Capped so that a huge limit never reserves that much at once.
    want = kJump;
  } else {
    want = 2 * cap;
  }
  try {
    // Never past the limit: the capacity is what the memory budget counts.
    t.body.reserve(std::min(max, std::max(need, want)));
  } catch (const std::bad_alloc&) {
    return false;
  }
  return true;
}

int transport::on_prereq(void* user, char*, char*, int, int) {
  auto& t = *static_cast<transfer*>(user);
  // One transfer is one hop, so a second call is libcurl resending on a fresh connection after
  // a reused one closed without a response byte. The first send may well have reached the
  // server: a non-idempotent request is not sent again unless the policy says so.
  if (++t.sends > 1 && !t.idempotent && !t.owner->p_.retry_non_idempotent) {
    t.resend_refused = true;
    return CURL_PREREQFUNC_ABORT;
  }
  return CURL_PREREQFUNC_OK;
}

void transport::configure_common(transfer& t) {
  CURL* e = t.easy;
  curl_easy_setopt(e, CURLOPT_PRIVATE, &t);
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t.errbuf);
  curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, &transport::on_header);
  curl_easy_setopt(e, CURLOPT_HEADERDATA, &t);
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &transport::on_body);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, &t);
  curl_easy_setopt(e, CURLOPT_PREREQFUNCTION, &transport::on_prereq);
  curl_easy_setopt(e, CURLOPT_PREREQDATA, &t);
  curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, &transport::on_open_socket);
  curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, this);
  curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");  // every encoding this libcurl decodes
  curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
  // Redirects are the scheduler's (follow()): each hop then takes a slot and rate tokens.
  curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(duration_cast<milliseconds>(p_.connect_timeout).count()));
  curl_easy_setopt(e, CURLOPT_TIMEOUT_MS,
                   static_cast<long>(duration_cast<milliseconds>(p_.total_timeout).count()));
  curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, p_.verify_tls ? 1L : 0L);
  curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, p_.verify_tls ? 2L : 0L);
  if (!p_.ca_file.empty()) curl_easy_setopt(e, CURLOPT_CAINFO, p_.ca_file.c_str());
  curl_easy_setopt(e, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_2TLS));
  if (!p_.use_proxy || !env_proxy_) {
    // "" disables proxies. Without any proxy variable in the environment this is what libcurl
    // would conclude anyway, but it would look them up (getenv x6) on every request.
    curl_easy_setopt(e, CURLOPT_PROXY, "");
  } else if (!p_.proxy.empty()) {
    curl_easy_setopt(e, CURLOPT_PROXY, p_.proxy.c_str());
  }
  if (!p_.user_agent.empty()) curl_easy_setopt(e, CURLOPT_USERAGENT, p_.user_agent.c_str());
  t.configured = true;
}

curl_slist* transport::request_headers(std::uint32_t index) {
  const request& r = b_.requests_[index];
  if (slists_[index] || (r.headers.empty() && r.body.empty())) return slists_[index];
  curl_slist* list = nullptr;
  std::string line;
  for (const auto& [name, value] : r.headers) {
    // "Name;" is libcurl's spelling of a field with an empty value ("Name:" would remove it).
    // Built in the one reused buffer: no temporary strings per field.
    line.assign(name);
    if (value.empty()) {
      line += ';';
    } else {
      line.append(": ").append(value);
    }
    list = curl_slist_append(list, line.c_str());
  }
  // No "Expect: 100-continue" round trip before a body.
  if (!r.body.empty()) list = curl_slist_append(list, "Expect:");
  slists_[index] = list;
  return list;
}

void transport::start(const dispatch& d) {
  transfer& t = *free_.back();
  free_.pop_back();
  const request& r = b_.requests_[d.index];
  // A redirected request goes where its last hop said, with the method and fields that hop
  // left it.
  const hop_state* hop = nullptr;
  if (!hops_.empty()) {
    if (auto it = hops_.find(d.index); it != hops_.end()) hop = &it->second;
  }
  const std::string& method = hop ? hop->method : r.method;
  const std::string& url = hop ? hop->url : r.url;
  bool has_body = !r.body.empty() && !(hop && hop->drop_body);
  bool get = method == "GET" && !has_body;
  if (!t.configured || !(get && t.plain_get)) {
    // A different method: start from libcurl's defaults (live connections are kept).
    if (t.configured) curl_easy_reset(t.easy);
    configure_common(t);
    if (get) {
      curl_easy_setopt(t.easy, CURLOPT_HTTPGET, 1L);
    } else if (method == "HEAD") {
      curl_easy_setopt(t.easy, CURLOPT_NOBODY, 1L);
    } else {
      if (method != "POST") curl_easy_setopt(t.easy, CURLOPT_CUSTOMREQUEST, method.c_str());
      bool sends_body = has_body || method == "POST" || method == "PUT" || method == "PATCH";
      if (sends_body) {
        std::size_t size = has_body ? r.body.size() : 0;
        curl_easy_setopt(t.easy, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(size));
        curl_easy_setopt(t.easy, CURLOPT_POSTFIELDS, has_body ? r.body.data() : "");
      }
    }
    t.plain_get = get;
  }
  if (p_.total_timeout.count() > 0) {
    // The total timeout bounds the attempt, redirect hops included.
    if (!d.hop) first_start_attempt_[d.index] = now_;
    auto left = p_.total_timeout - (now_ - first_start_attempt_[d.index]);
    long ms = std::max<long>(1, static_cast<long>(duration_cast<milliseconds>(left).count()));
    curl_easy_setopt(t.easy, CURLOPT_TIMEOUT_MS, ms);
  }
  curl_easy_setopt(t.easy, CURLOPT_URL, url.c_str());
  curl_easy_setopt(t.easy, CURLOPT_HTTPHEADER, hop ? hop->headers : request_headers(d.index));
  t.index = d.index;
  t.busy = true;
  t.idempotent = method == r.method ? idempotent_[d.index] : detail::idempotent(method);
  t.keep_body = true;
  t.head_done = false;
  t.resend_refused = false;
  t.limit = over::none;
  t.status = 0;
  t.fd = -1;
  t.sends = 0;
  t.head_bytes = 0;
  t.errbuf[0] = '\0';
  t.headers.clear();
  // The last result took the vectors; a typical head (~8 fields) then fills without regrowth.
  t.headers.reserve(kTypicalFields);
  t.body.clear();
  t.started = now_;
  t.last_activity = now_;
  if (d.attempt == 1 && !d.hop) first_start_[d.index] = now_;
  curl_multi_add_handle(multi_, t.easy);
}

bool transport::follow(transfer& t, std::string* why) {
  std::uint32_t i = t.index;
  const request& r = b_.requests_[i];
  auto it = hops_.find(i);
  std::uint32_t count = it == hops_.end() ? 0 : it->second.count;
  if (count >= p_.max_redirects) {
    *why = "more than " + std::to_string(p_.max_redirects) + " redirects";
    return false;
  }
  char* target = nullptr;
  curl_easy_getinfo(t.easy, CURLINFO_REDIRECT_URL, &target);
  std::string url = target ? target : "";
  std::string bad;
  auto key = detail::host_key(url, &bad);
  if (!key) {
    *why = "redirect to '" + url.substr(0, 200) + "': " + bad;
    return false;
  }
  hop_state next;
  next.url = std::move(url);
  next.count = count + 1;
  const std::string& method = it == hops_.end() ? r.method : it->second.method;
  // What browsers and libcurl do: 303 makes anything but HEAD a GET; 301 and 302 make a POST
  // a GET; 307 and 308 repeat the request as it was.
  bool to_get = (t.status == 303 && method != "HEAD") ||
                ((t.status == 301 || t.status == 302) && method == "POST");
  next.method = to_get ? "GET" : method;
  next.drop_body = to_get || (it != hops_.end() && it->second.drop_body);
  // Credentials stay with the origin they were given for (scheme, host and port).
  bool off_origin = *key != b_.host_keys_[b_.host_of_[i]];
  std::string line;
  for (const auto& [name, value] : r.headers) {
    if (off_origin && (strcasecmp(name.c_str(), "authorization") == 0 ||
                       strcasecmp(name.c_str(), "cookie") == 0)) {
      continue;
    }
    if (next.drop_body && (strcasecmp(name.c_str(), "content-type") == 0 ||
                           strcasecmp(name.c_str(), "content-length") == 0)) {
      continue;
    }
    line.assign(name);
    if (value.empty()) {
      line += ';';
    } else {
      line.append(": ").append(value);
    }
    next.headers = curl_slist_append(next.headers, line.c_str());
  }
  if (!next.drop_body && !r.body.empty()) next.headers = curl_slist_append(next.headers, "Expect:");
  auto [id, added] = host_ids_.try_emplace(*key, 0);
  if (added) id->second = sched_->add_host(now_);
  next.host = id->second;
  if (it != hops_.end()) {
    curl_slist_free_all(it->second.headers);
    it->second = std::move(next);
  } else {
    hops_.emplace(i, std::move(next));
  }
  sched_->redirect(i, id->second);
  ++b_.stats_.redirects;
  return true;
}

void transport::finish(transfer& t, CURLcode rc) {
  LAPWISE_INJECT_WORK(200);
  curl_multi_remove_handle(multi_, t.easy);
  t.busy = false;
  std::uint32_t i = t.index;
  // Every send counts (libcurl's resends too); a refused resend never left.
  std::uint32_t sent = std::max<std::uint32_t>(1, t.sends - (t.resend_refused ? 1 : 0));
  if (sent > 1) {
    extra_[i] += sent - 1;
    b_.stats_.resends += sent - 1;
  }
  b_.stats_.attempts += sent;

  attempt_outcome outcome;
  std::string message;
  if (rc == CURLE_OK) {
    outcome.status = t.status;
    if (outcome.status == 0) {
      long code = 0;
      curl_easy_getinfo(t.easy, CURLINFO_RESPONSE_CODE, &code);
      outcome.status = static_cast<int>(code);
    }
    int s = outcome.status;
    if (p_.follow_redirects && (s == 301 || s == 302 || s == 303 || s == 307 || s == 308)) {
      char* target = nullptr;
      curl_easy_getinfo(t.easy, CURLINFO_REDIRECT_URL, &target);
      if (target) {
        now_ = clock::now();
        std::string why;
        if (follow(t, &why)) {
          free_.push_back(&t);
          return;
        }
        outcome.status = 0;
        outcome.error = error_kind::redirects;
        finish_result(t, outcome, std::move(why));
        return;
      }
    }
    std::string_view retry_after, date;
    for (const auto& [name, value] : t.headers) {
      if (name == "retry-after") retry_after = value;
      if (name == "date") date = value;
    }
    if (!retry_after.empty()) {
      // Relative to the server's own clock when it says what time it is.
      auto server_now = parse_http_date(date);
      auto wall = std::chrono::duration_cast<std::chrono::seconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
      outcome.retry_after = parse_retry_after(retry_after, server_now.value_or(wall));
    }
  } else if (t.limit == over::memory) {
    outcome.error = error_kind::other;
    message = "out of memory for a body of " + std::to_string(t.body.size()) + " bytes";
  } else if (t.limit != over::none) {
    outcome.error = error_kind::too_large;
    switch (t.limit) {
      case over::body:
        message = "body larger than max_body_bytes (" + std::to_string(p_.max_body_bytes) + ")";
        break;
      case over::header_bytes:
        message = "response head larger than max_header_bytes (" +
                  std::to_string(p_.max_header_bytes) + ")";
        break;
      default:
        message = "more than max_headers (" + std::to_string(p_.max_headers) + ") header fields";
        break;
    }
  } else if (t.resend_refused) {
    outcome.error = error_kind::reset;
    message =
        "connection closed before a response; not resent: the method is not idempotent "
        "(retry_non_idempotent is off)";
  } else if (rc == CURLE_OUT_OF_MEMORY && !t.head_done) {
    // libcurl 7.x refuses a single header line over its own 100 KiB buffer this way (before
    // our header callback sees the line); that is a server sending too much, not our memory.
    outcome.error = error_kind::too_large;
    message = std::string("response header line too long: ") +
              (t.errbuf[0] ? t.errbuf : curl_easy_strerror(rc));
  } else {
    outcome.error = classify(rc);
    message = t.errbuf[0] ? t.errbuf : curl_easy_strerror(rc);
  }
  finish_result(t, outcome, std::move(message));
}

void transport::finish_result(transfer& t, const attempt_outcome& outcome, std::string message) {
  std::uint32_t i = t.index;
  now_ = clock::now();
  decision d = sched_->complete(i, outcome, now_);
  if (d.retry) {
    ++b_.stats_.retries;
  } else {
    std::uint32_t attempts = sched_->attempts(i) + extra_[i];
    double elapsed = seconds(now_ - first_start_[i]);
    if (outcome.error) {
      b_.results_[i] = error{*outcome.error, std::move(message), attempts, elapsed};
    } else {
      response out;
      out.status = outcome.status;
      out.headers = std::move(t.headers);
      out.body = std::move(t.body);
      char* url = nullptr;
      curl_easy_getinfo(t.easy, CURLINFO_EFFECTIVE_URL, &url);
      if (url) out.url = url;
      long version = 0;
      curl_easy_getinfo(t.easy, CURLINFO_HTTP_VERSION, &version);
      out.version = version_of(version);
      out.attempts = attempts;
      out.elapsed = elapsed;
      curl_off_t us = 0;
      curl_easy_getinfo(t.easy, CURLINFO_CONNECT_TIME_T, &us);
      out.phases.connect = static_cast<double>(us) / 1e6;
      curl_easy_getinfo(t.easy, CURLINFO_APPCONNECT_TIME_T, &us);
      out.phases.tls = static_cast<double>(us) / 1e6;
      curl_easy_getinfo(t.easy, CURLINFO_STARTTRANSFER_TIME_T, &us);
      out.phases.first_byte = static_cast<double>(us) / 1e6;
      curl_easy_getinfo(t.easy, CURLINFO_TOTAL_TIME_T, &us);
      out.phases.total = static_cast<double>(us) / 1e6;
      b_.results_[i] = std::move(out);
    }
    if (!hops_.empty()) {
      if (auto it = hops_.find(i); it != hops_.end()) {
        curl_slist_free_all(it->second.headers);
        hops_.erase(it);
      }
    }
    if (on_result_) on_result_(i);
  }
  free_.push_back(&t);
}

// The read timeout is lapwise's (libcurl has none finer than its one-second low-speed limit):
// an attempt silent for longer than read_timeout is dropped and fails as a timeout.
void transport::fail_stalled() {
  if (p_.read_timeout.count() == 0 || now_ < next_stall_check_) return;
  next_stall_check_ = now_ + stall_check_every_;
  for (auto& t : pool_) {
    if (!t.busy) continue;
    // Bytes on the connection count even when no callback ran: libcurl hands over a header
    // line only when it is complete, so a head trickling in would otherwise look silent.
    time_point last = t.last_activity;
    if (t.fd >= 0 && static_cast<std::size_t>(t.fd) < fd_activity_.size()) {
      last = std::max(last, fd_activity_[t.fd]);
    }
    if (now_ - last > p_.read_timeout) {
      std::snprintf(t.errbuf, sizeof t.errbuf, "read timeout: no data for %lld ms",
                    static_cast<long long>(duration_cast<milliseconds>(p_.read_timeout).count()));
      finish(t, CURLE_OPERATION_TIMEDOUT);
    }
  }
}

void transport::cancel_all() {
  for (auto& t : pool_) {
    if (!t.busy) continue;
    curl_multi_remove_handle(multi_, t.easy);
    t.busy = false;
    std::uint32_t i = t.index;
    // It was started and may have reached the server, resends included.
    std::uint32_t sent = std::max<std::uint32_t>(1, t.sends - (t.resend_refused ? 1 : 0));
    extra_[i] += sent - 1;
    b_.stats_.resends += sent - 1;
    b_.stats_.attempts += sent;
    b_.results_[i] =
        error{error_kind::cancelled,
              "cancelled while in flight (attempt " + std::to_string(sched_->attempts(i)) + ")",
              sched_->attempts(i) + extra_[i], seconds(now_ - first_start_[i])};
    ++b_.stats_.cancelled;
    if (on_result_) on_result_(i);
  }
  for (std::uint32_t i : sched_->drain_pending()) {
    std::uint32_t made = sched_->attempts(i);
    std::string why =
        made == 0 ? "cancelled before it was sent"
        : sched_->next_is_hop(i)
            ? "cancelled while waiting for its next redirect hop (after " + std::to_string(made) +
                  " attempts)"
            : "cancelled while waiting to retry (after " + std::to_string(made) + " attempts)";
    b_.results_[i] = error{error_kind::cancelled, std::move(why), made + extra_[i],
                           made ? seconds(now_ - first_start_[i]) : 0.0};
    ++b_.stats_.cancelled;
    if (on_result_) on_result_(i);
  }
}

int transport::wait_ms() {
  constexpr int kMaxWaitMs = 100;
  int ms = kMaxWaitMs;
  auto until = [&](time_point t) {
    auto d = t - now_;
    if (d.count() <= 0) return 0;
    // Round up: waking a little late is forgiven by the buckets; early would spin.
    return static_cast<int>(std::min<std::int64_t>((d.count() + 999'999) / 1'000'000, kMaxWaitMs));
  };
  if (curl_timer_) ms = std::min(ms, until(*curl_timer_));
  if (!free_.empty()) {
    if (auto w = sched_->wake_at()) ms = std::min(ms, until(*w));
  }
  if (p_.read_timeout.count() > 0 && free_.size() < pool_.size()) {
    ms = std::min(ms, until(next_stall_check_));
  }
  return ms;
}

void transport::run(const std::function<void(std::size_t)>& on_result) {
  on_result_ = on_result;
  const std::size_t n = b_.requests_.size();
  b_.results_.assign(n, error{error_kind::other, "not run", 0, 0});
  if (n == 0) return;
  detail::global_init();

  idempotent_.resize(n);
  for (std::size_t i = 0; i < n; ++i) idempotent_[i] = detail::idempotent(b_.requests_[i].method);
  std::uint64_t seed = p_.seed ? p_.seed : std::random_device{}();
  auto rng = std::make_shared<jitter_rng>(seed);
  now_ = clock::now();
  sched_ = std::make_unique<scheduler>(
      p_, b_.host_of_, idempotent_, b_.host_keys_.size(), [rng] { return rng->next(); }, now_);
  for (std::uint32_t h = 0; h < b_.host_keys_.size(); ++h) host_ids_.emplace(b_.host_keys_[h], h);

  env_proxy_ = false;
  for (const char* var :
       {"http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"}) {
    if (const char* v = std::getenv(var); v && *v) env_proxy_ = true;
  }
  multi_ = curl_multi_init();
  std::size_t slots = std::min(p_.concurrency, n);
  curl_multi_setopt(multi_, CURLMOPT_MAXCONNECTS, static_cast<long>(slots));
  pool_.resize(slots);
  for (auto& t : pool_) {
    t.owner = this;
    t.easy = curl_easy_init();
    free_.push_back(&t);
  }
  slists_.assign(n, nullptr);
  extra_.assign(n, 0);
  first_start_.assign(n, now_);
  if (p_.total_timeout.count() > 0) first_start_attempt_.assign(n, now_);
  stall_check_every_ =
      std::clamp<duration>(p_.read_timeout / 20, milliseconds(1), milliseconds(10));
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  wake_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = wake_fd_;
    epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &ev);
  }
  curl_multi_setopt(multi_, CURLMOPT_SOCKETFUNCTION, &transport::on_socket);
  curl_multi_setopt(multi_, CURLMOPT_SOCKETDATA, this);
  curl_multi_setopt(multi_, CURLMOPT_TIMERFUNCTION, &transport::on_timer);
  curl_multi_setopt(multi_, CURLMOPT_TIMERDATA, this);
  {
    std::lock_guard lock(b_.wake_mutex_);
    b_.wake_fd_ = wake_fd_;
  }

  constexpr int kMaxEvents = 256;
  epoll_event events[kMaxEvents];
  while (true) {
    now_ = clock::now();
    if (b_.cancelled()) {
      cancel_all();
      break;
    }
    run_due_timer();
    bool progressed = drain_messages();
    fail_stalled();
    if (sched_->done()) break;
    bool started = false;
    while (!free_.empty()) {
      auto d = sched_->next(now_);
      if (!d) break;
      start(*d);
      started = true;
    }
    // Wait only when nothing moved: a new handle arms a 0 ms timer, and transfers may have
    // completed inside the last socket action (a fast server answers before we look again).
    if (progressed || started) continue;
    int n = epoll_wait(epoll_fd_, events, kMaxEvents, wait_ms());
    // The callbacks below stamp activity with now_: it must be the time the bytes came.
    now_ = clock::now();
    int running = 0;
    for (int k = 0; k < n; ++k) {
      int fd = events[k].data.fd;
      if (fd == wake_fd_) {
        std::uint64_t count;
        [[maybe_unused]] auto r = ::read(wake_fd_, &count, sizeof count);
        continue;
      }
      if (static_cast<std::size_t>(fd) < fd_state_.size() && !(fd_state_[fd] & kWatched)) {
        // A keep-alive socket libcurl stopped watching (closed by the server, say): drop it
        // from the set now, or level-triggered epoll would report it on every wait.
        epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
        fd_state_[fd] = 0;
        continue;
      }
      if (p_.read_timeout.count() > 0 && fd >= 0) {
        if (static_cast<std::size_t>(fd) >= fd_activity_.size()) fd_activity_.resize(fd + 64);
        fd_activity_[fd] = now_;
      }
      int mask = 0;
      if (events[k].events & EPOLLIN) mask |= CURL_CSELECT_IN;
      if (events[k].events & EPOLLOUT) mask |= CURL_CSELECT_OUT;
      if (events[k].events & (EPOLLERR | EPOLLHUP)) mask |= CURL_CSELECT_ERR;
      curl_multi_socket_action(multi_, fd, mask, &running);
    }
  }
}

void transport::run_due_timer() {
  now_ = clock::now();
  if (curl_timer_ && *curl_timer_ <= now_) {
    curl_timer_.reset();
    int running = 0;
    curl_multi_socket_action(multi_, CURL_SOCKET_TIMEOUT, 0, &running);
  }
}

bool transport::drain_messages() {
  bool any = false;
  int queued = 0;
  while (CURLMsg* msg = curl_multi_info_read(multi_, &queued)) {
    if (msg->msg != CURLMSG_DONE) continue;
    transfer* t = nullptr;
    curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &t);
    finish(*t, msg->data.result);
    any = true;
  }
  return any;
}

batch::batch(std::vector<request> requests, policy p)
    : requests_(std::move(requests)), policy_(std::move(p)) {}

batch::~batch() = default;

std::unique_ptr<batch> batch::create(std::vector<request> requests, policy p, invalid_input* why) {
  std::vector<std::uint32_t> host_of;
  std::vector<std::string> host_keys;
  if (auto bad = detail::index_hosts(requests, p, &host_of, &host_keys)) {
    if (why) *why = std::move(*bad);
    return nullptr;
  }
  std::unique_ptr<batch> b(new batch(std::move(requests), std::move(p)));
  b->host_of_ = std::move(host_of);
  b->host_keys_ = std::move(host_keys);
  return b;
}

void batch::run(const std::function<void(std::size_t)>& on_result) {
  transport t(*this);
  t.run(on_result);
}

void batch::cancel() noexcept {
  cancel_.store(true, std::memory_order_relaxed);
  std::lock_guard lock(wake_mutex_);
  if (wake_fd_ >= 0) {
    std::uint64_t one = 1;
    [[maybe_unused]] auto w = ::write(wake_fd_, &one, sizeof one);
  }
}

std::variant<std::vector<result>, invalid_input> fetch_many(std::vector<request> requests,
                                                            const policy& p) {
  invalid_input why;
  auto b = batch::create(std::move(requests), p, &why);
  if (!b) return why;
  b->run();
  return std::move(b->results());
}

}  // namespace lapwise::client
