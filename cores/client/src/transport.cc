// The transport: lapwise's scheduler decides what starts when; libcurl's multi interface does
// the HTTP (connections, TLS, HTTP/2, redirects, decompression). One thread, one CURLM driven
// through curl_multi_socket_action on an epoll set (cost per event, not per transfer: the
// perform/poll pair walks every transfer on every turn, which dominated at 64 in flight), a
// pool of easy handles that are reused (their connection cache stays warm), and an eventfd
// that cancel() writes to wake the wait.
#include <curl/curl.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
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
    case CURLE_UNSUPPORTED_PROTOCOL:
      return error_kind::redirects;
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_BAD_CONTENT_ENCODING:
    case CURLE_HTTP3:
      return error_kind::protocol;
    case CURLE_WRITE_ERROR:
      return error_kind::too_large;  // only our write callback refuses data
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
  struct transfer {
    transport* owner = nullptr;
    CURL* easy = nullptr;
    std::uint32_t index = 0;
    bool busy = false;
    bool configured = false;  // common options are set
    bool plain_get = false;   // configured as a body-less GET, reusable by setting the URL only
    int status = 0;
    std::uint32_t sends = 0;  // PREREQFUNCTION calls: requests put on the wire
    bool too_large = false;
    time_point started{};
    time_point last_activity{};
    std::vector<header> headers;
    std::string body;
    char errbuf[CURL_ERROR_SIZE] = {};
  };

  static std::size_t on_header(char* data, std::size_t size, std::size_t n, void* user);
  static std::size_t on_body(char* data, std::size_t size, std::size_t n, void* user);
  static int on_prereq(void* user, char*, char*, int, int);
  static int on_socket(CURL*, curl_socket_t fd, int what, void* user, void* socket_data);
  static int on_timer(CURLM*, long timeout_ms, void* user);

  void configure_common(transfer& t);
  void start(const dispatch& d);
  void finish(transfer& t, CURLcode rc);
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
  if (epoll_fd_ >= 0) ::close(epoll_fd_);
  if (wake_fd_ >= 0) ::close(wake_fd_);
}

int transport::on_socket(CURL*, curl_socket_t fd, int what, void* user, void* socket_data) {
  auto& self = *static_cast<transport*>(user);
  if (what == CURL_POLL_REMOVE) {
    epoll_ctl(self.epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
    return 0;
  }
  epoll_event ev{};
  ev.events = ((what & CURL_POLL_IN) ? EPOLLIN : 0u) | ((what & CURL_POLL_OUT) ? EPOLLOUT : 0u);
  ev.data.fd = fd;
  // Non-null socket data marks the fd as registered (set below), so this call modifies it. An
  // unmarked fd can still be in the set (EEXIST): then it is modified as well.
  bool registered = socket_data != nullptr;
  if (!registered && epoll_ctl(self.epoll_fd_, EPOLL_CTL_ADD, fd, &ev) != 0) {
    registered = errno == EEXIST;
  }
  if (registered) epoll_ctl(self.epoll_fd_, EPOLL_CTL_MOD, fd, &ev);
  curl_multi_assign(self.multi_, fd, &self);
  return 0;
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
  std::size_t len = size * n;
  t.last_activity = t.owner->now_;
  header_line line = parse_header_line(std::string_view(data, len));
  if (line.type == header_line::kind::status) {
    // A new response head (after a redirect or a 1xx): only the last one is the result's.
    t.status = line.status;
    t.headers.clear();
  } else if (line.type == header_line::kind::field) {
    auto& [name, value] = t.headers.emplace_back(line.name, line.value);
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return len;
}

std::size_t transport::on_body(char* data, std::size_t size, std::size_t n, void* user) {
  auto& t = *static_cast<transfer*>(user);
  std::size_t len = size * n;
  t.last_activity = t.owner->now_;
  if (t.body.size() + len > t.owner->p_.max_body_bytes) {
    t.too_large = true;
    return 0;  // != len: libcurl aborts the transfer with CURLE_WRITE_ERROR
  }
  t.body.append(data, len);
  return len;
}

int transport::on_prereq(void* user, char*, char*, int, int) {
  ++static_cast<transfer*>(user)->sends;
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
  curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");  // every encoding this libcurl decodes
  curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, p_.follow_redirects ? 1L : 0L);
  curl_easy_setopt(e, CURLOPT_MAXREDIRS, static_cast<long>(p_.max_redirects));
  curl_easy_setopt(e, CURLOPT_UNRESTRICTED_AUTH, 0L);  // no credentials to another host
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
  bool get = r.method == "GET" && r.body.empty();
  if (!t.configured || !(get && t.plain_get)) {
    // A different method: start from libcurl's defaults (live connections are kept).
    if (t.configured) curl_easy_reset(t.easy);
    configure_common(t);
    if (get) {
      curl_easy_setopt(t.easy, CURLOPT_HTTPGET, 1L);
    } else if (r.method == "HEAD") {
      curl_easy_setopt(t.easy, CURLOPT_NOBODY, 1L);
    } else {
      if (r.method != "POST") curl_easy_setopt(t.easy, CURLOPT_CUSTOMREQUEST, r.method.c_str());
      bool sends_body =
          !r.body.empty() || r.method == "POST" || r.method == "PUT" || r.method == "PATCH";
      if (sends_body) {
        curl_easy_setopt(t.easy, CURLOPT_POSTFIELDSIZE_LARGE,
                         static_cast<curl_off_t>(r.body.size()));
        curl_easy_setopt(t.easy, CURLOPT_POSTFIELDS, r.body.data());
      }
    }
    t.plain_get = get;
  }
  curl_easy_setopt(t.easy, CURLOPT_URL, r.url.c_str());
  curl_easy_setopt(t.easy, CURLOPT_HTTPHEADER, request_headers(d.index));
  t.index = d.index;
  t.busy = true;
  t.status = 0;
  t.sends = 0;
  t.too_large = false;
  t.errbuf[0] = '\0';
  t.headers.clear();
  // The last result took the vectors; a typical head (~8 fields) then fills without regrowth.
  t.headers.reserve(kTypicalFields);
  t.body.clear();
  t.started = now_;
  t.last_activity = now_;
  if (d.attempt == 1) first_start_[d.index] = now_;
  curl_multi_add_handle(multi_, t.easy);
}

void transport::finish(transfer& t, CURLcode rc) {
  LAPWISE_INJECT_WORK(200);
  curl_multi_remove_handle(multi_, t.easy);
  t.busy = false;
  std::uint32_t i = t.index;
  long redirects = 0;
  curl_easy_getinfo(t.easy, CURLINFO_REDIRECT_COUNT, &redirects);
  // One send per hop is expected; more means libcurl resent on a fresh connection by itself.
  std::uint32_t hops = static_cast<std::uint32_t>(redirects) + 1;
  if (t.sends > hops) {
    extra_[i] += t.sends - hops;
    b_.stats_.resends += t.sends - hops;
  }
  b_.stats_.attempts += 1;

  attempt_outcome outcome;
  std::string message;
  if (rc == CURLE_OK) {
    outcome.status = t.status;
    if (outcome.status == 0) {
      long code = 0;
      curl_easy_getinfo(t.easy, CURLINFO_RESPONSE_CODE, &code);
      outcome.status = static_cast<int>(code);
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
  } else {
    outcome.error = t.too_large ? error_kind::too_large : classify(rc);
    message = t.too_large
                  ? "body larger than max_body_bytes (" + std::to_string(p_.max_body_bytes) + ")"
                  : (t.errbuf[0] ? t.errbuf : curl_easy_strerror(rc));
  }
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
    if (t.busy && now_ - t.last_activity > p_.read_timeout) {
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
    b_.results_[i] =
        error{error_kind::cancelled,
              "cancelled while in flight (attempt " + std::to_string(sched_->attempts(i)) + ")",
              sched_->attempts(i) + extra_[i], seconds(now_ - first_start_[i])};
    ++b_.stats_.cancelled;
    ++b_.stats_.attempts;  // it was started, and may have reached the server
    if (on_result_) on_result_(i);
  }
  for (std::uint32_t i : sched_->drain_pending()) {
    std::uint32_t made = sched_->attempts(i);
    std::string why = made == 0 ? "cancelled before it was sent"
                                : "cancelled while waiting to retry (after " +
                                      std::to_string(made) + " attempts)";
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

  std::vector<bool> idem(n);
  for (std::size_t i = 0; i < n; ++i) idem[i] = detail::idempotent(b_.requests_[i].method);
  std::uint64_t seed = p_.seed ? p_.seed : std::random_device{}();
  auto rng = std::make_shared<jitter_rng>(seed);
  now_ = clock::now();
  sched_ = std::make_unique<scheduler>(
      p_, b_.host_of_, std::move(idem), b_.host_count_, [rng] { return rng->next(); }, now_);

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
    int running = 0;
    for (int k = 0; k < n; ++k) {
      int fd = events[k].data.fd;
      if (fd == wake_fd_) {
        std::uint64_t count;
        [[maybe_unused]] auto r = ::read(wake_fd_, &count, sizeof count);
        continue;
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
  std::size_t host_count = 0;
  if (auto bad = detail::index_hosts(requests, p, &host_of, &host_count)) {
    if (why) *why = std::move(*bad);
    return nullptr;
  }
  std::unique_ptr<batch> b(new batch(std::move(requests), std::move(p)));
  b->host_of_ = std::move(host_of);
  b->host_count_ = host_count;
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
