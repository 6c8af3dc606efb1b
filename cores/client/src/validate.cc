// Input checks that run before anything is sent. URLs go through libcurl's own parser (the one
// the transport will use), so "valid here" and "accepted by the transport" cannot disagree.
#include <curl/curl.h>

#include <cmath>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "detail.h"
#include "lapwise/client/client.h"
#include "lapwise/common/http_token.h"

namespace lapwise::client {
namespace detail {

namespace {

struct url_deleter {
  void operator()(CURLU* u) const noexcept { curl_url_cleanup(u); }
};
struct part_deleter {
  void operator()(char* p) const noexcept { curl_free(p); }
};
using part = std::unique_ptr<char, part_deleter>;

part get_part(CURLU* u, CURLUPart which, unsigned flags) {
  char* out = nullptr;
  if (curl_url_get(u, which, &out, flags) != CURLUE_OK) return part(nullptr);
  return part(out);
}

}  // namespace

std::optional<std::string> host_key(const std::string& url, std::string* why) {
  auto set_why = [why](std::string m) {
    if (why) *why = std::move(m);
    return std::nullopt;
  };
  if (url.size() > max_url_length) {
    return set_why("URL is longer than " + std::to_string(max_url_length) + " bytes");
  }
  for (unsigned char c : url) {
    if (c <= 0x20 || c == 0x7f) return set_why("URL contains a space or control byte");
  }
  // libcurl reads "http:///x" as host "x"; a URL with an empty authority has no host.
  if (std::size_t sep = url.find("://"); sep != std::string::npos) {
    char after = sep + 3 < url.size() ? url[sep + 3] : '\0';
    if (after == '/' || after == '?' || after == '#' || after == '\0') {
      return set_why("URL has no host");
    }
  }
  global_init();
  std::unique_ptr<CURLU, url_deleter> u(curl_url());
  if (!u) return set_why("out of memory");
  // No CURLU_NON_SUPPORT_SCHEME and no default scheme: relative or scheme-less URLs fail here.
  CURLUcode rc = curl_url_set(u.get(), CURLUPART_URL, url.c_str(), 0);
  if (rc != CURLUE_OK) return set_why(std::string("invalid URL: ") + curl_url_strerror(rc));
  part scheme = get_part(u.get(), CURLUPART_SCHEME, 0);
  std::string_view s = scheme ? scheme.get() : "";
  if (s != "http" && s != "https") {
    return set_why("unsupported scheme '" + std::string(s) + "' (only http and https)");
  }
  part host = get_part(u.get(), CURLUPART_HOST, 0);
  if (!host || !*host) return set_why("URL has no host");
  part port = get_part(u.get(), CURLUPART_PORT, CURLU_DEFAULT_PORT);
  return std::string(s) + "://" + host.get() + ":" + (port ? port.get() : "");
}

bool idempotent(std::string_view method) noexcept {
  return method == "GET" || method == "HEAD" || method == "PUT" || method == "DELETE" ||
         method == "OPTIONS" || method == "TRACE";
}

std::optional<std::string> check_policy(const policy& p) {
  auto finite_nonneg = [](double v) { return std::isfinite(v) && v >= 0; };
  if (p.concurrency < 1 || p.concurrency > 100'000) return "concurrency must be 1..100000";
  if (p.per_host > 100'000) return "per_host must be 0 (none) or 1..100000";
  for (const rate_limit* r : {&p.global_rate, &p.host_rate}) {
    const char* which = r == &p.global_rate ? "rate" : "per-host rate";
    if (!finite_nonneg(r->rate)) return std::string(which) + " must be a finite number >= 0";
    if (r->rate > 0 && !(std::isfinite(r->burst) && r->burst >= 1 && r->burst <= 1e9)) {
      return std::string(which) + " burst must be 1..1e9";
    }
  }
  if (p.retries > 100) return "retries must be 0..100";
  if (p.backoff_base.count() < 0 || p.backoff_cap.count() < 0) return "backoff must be >= 0";
  if (p.backoff_cap < p.backoff_base) return "backoff cap must be >= backoff base";
  for (int code : p.retry_statuses) {
    if (code < 100 || code > 599)
      return "retry status " + std::to_string(code) + " is not 100..599";
  }
  if (p.retry_after_max.count() < 0) return "retry_after_max must be >= 0";
  for (duration d : {p.connect_timeout, p.read_timeout, p.total_timeout}) {
    if (d.count() < 0) return "timeouts must be >= 0 (0 = none)";
    if (d > std::chrono::hours(24 * 365)) return "timeouts must be under a year";
  }
  if (p.max_redirects > 1000) return "max_redirects must be 0..1000";
  if (p.max_body_bytes == 0) return "max_body_bytes must be > 0";
  if (p.max_header_bytes < 1024) return "max_header_bytes must be >= 1024";
  if (p.max_headers < 1) return "max_headers must be >= 1";
  for (const std::string* s : {&p.proxy, &p.ca_file, &p.user_agent}) {
    if (common::contains_cr_lf_nul(*s)) {
      return "proxy, ca_file and user_agent must not contain CR, LF or NUL";
    }
  }
  return std::nullopt;
}

std::optional<std::string> check_request_fields(const request& r) {
  if (!common::is_token(r.method) || r.method.size() > 32) {
    return "method '" + r.method.substr(0, 40) + "' is not an HTTP token of 1..32 bytes";
  }
  if (r.headers.size() > max_headers_per_request) {
    return "more than " + std::to_string(max_headers_per_request) + " header fields";
  }
  for (const auto& [name, value] : r.headers) {
    if (!common::is_token(name)) {
      return "header name '" + name.substr(0, 40) + "' is not an HTTP token";
    }
    if (common::contains_cr_lf_nul(value)) {
      return "header '" + name + "' has CR, LF or NUL in its value";
    }
  }
  return std::nullopt;
}

std::optional<invalid_input> index_hosts(std::span<const request> requests, const policy& p,
                                         std::vector<std::uint32_t>* host_of,
                                         std::vector<std::string>* host_keys) {
  if (auto why = check_policy(p)) return invalid_input{invalid_input::npos, *why};
  if (requests.size() > max_requests) {
    return invalid_input{invalid_input::npos,
                         "more than " + std::to_string(max_requests) + " requests in one run"};
  }
  std::unordered_map<std::string, std::uint32_t> ids;
  std::vector<std::uint32_t> out(requests.size());
  const std::string* previous = nullptr;
  for (std::size_t i = 0; i < requests.size(); ++i) {
    const request& r = requests[i];
    if (auto why = check_request_fields(r)) return invalid_input{i, *why};
    if (previous && *previous == r.url) {
      out[i] = out[i - 1];
    } else {
      std::string why;
      auto key = host_key(r.url, &why);
      if (!key) return invalid_input{i, why};
      out[i] =
          ids.try_emplace(std::move(*key), static_cast<std::uint32_t>(ids.size())).first->second;
    }
    previous = &r.url;
  }
  if (host_of) *host_of = std::move(out);
  if (host_keys) {
    host_keys->assign(ids.size(), {});
    for (auto& [key, id] : ids) (*host_keys)[id] = key;
  }
  return std::nullopt;
}

}  // namespace detail

std::optional<invalid_input> validate(std::span<const request> requests, const policy& p) {
  return detail::index_hosts(requests, p, nullptr, nullptr);
}

}  // namespace lapwise::client
