#include "lapwise/load/options.h"

#include <charconv>
#include <fstream>
#include <sstream>

namespace lapwise::load {
namespace {

template <class T>
bool parse_number(std::string_view s, T& out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

bool read_file(const std::string& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  out = ss.str();
  return true;
}

}  // namespace

std::string usage() {
  return R"(usage: lapwise-load [options] http://HOST:PORT[/path]

HOST is a numeric address (127.0.0.1, [::1]). Without -r/-f: GET /path, expecting 200.
  -c N        connections (16)                -t N   threads, one io_context each (1)
  -p N        requests in flight per connection: pipelining depth (1)
  -R RATE     open loop at RATE requests/s over all connections (default: closed loop)
  -d SECONDS  measured duration (10)          -w SECONDS  warmup before it (0)
  -n COUNT    stop after COUNT measured requests (also bounded by -d)
  --timeout MS  a request without a response after MS ms fails as timeout (2000)
  --pace-gap US open loop: sleep at least US us between releases of due requests (50);
              requests then leave in batches, each at most about US us late (measured)
  -r 'METHOD TARGET [STATUS [LENGTH]]'  a request (repeatable); LENGTH = expected body bytes
  -f FILE     requests from FILE (format in request_set.h: request/header/body/expect lines)
  -H 'Name: value'  a header for every request (repeatable)
  -o FILE     write the JSON report to FILE (default: stdout)
  -q          no summary on stderr
)";
}

bool parse_url(std::string_view url, std::string& host, std::uint16_t& port, std::string& path,
               std::string& error) {
  constexpr std::string_view scheme = "http://";
  if (url.substr(0, scheme.size()) != scheme) {
    error = "URL must start with http:// (got '" + std::string(url) + "')";
    return false;
  }
  std::string_view rest = url.substr(scheme.size());
  const auto slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  path = slash == std::string_view::npos ? "" : std::string(rest.substr(slash));
  std::string_view port_text;
  if (!authority.empty() && authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos || close + 1 >= authority.size() ||
        authority[close + 1] != ':') {
      error = "URL needs [IPv6]:PORT";
      return false;
    }
    host = std::string(authority.substr(1, close - 1));
    port_text = authority.substr(close + 2);
  } else {
    const auto colon = authority.rfind(':');
    if (colon == std::string_view::npos) {
      error = "URL needs an explicit port (http://HOST:PORT)";
      return false;
    }
    host = std::string(authority.substr(0, colon));
    port_text = authority.substr(colon + 1);
  }
  unsigned value = 0;
  if (host.empty() || !parse_number(port_text, value) || value == 0 || value > 65535) {
    error = "bad host or port in '" + std::string(url) + "'";
    return false;
  }
  port = static_cast<std::uint16_t>(value);
  return true;
}

parsed_options parse_options(std::span<const std::string_view> args) {
  parsed_options out;
  options& o = out.opts;
  config& cfg = o.cfg;
  std::string url, error;
  std::vector<std::pair<std::string, std::string>> common_headers;
  auto fail = [&](std::string msg) {
    out.error = std::move(msg);
    return out;
  };
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string_view a = args[i];
    auto value = [&](std::string_view& v) {
      if (i + 1 >= args.size()) return false;
      v = args[++i];
      return true;
    };
    std::string_view v;
    if (a == "-h" || a == "--help") {
      o.help = true;
      return out;
    }
    if (a == "-q") {
      o.quiet = true;
      continue;
    }
    if (!a.empty() && a.front() == '-') {
      if (!value(v)) return fail("option " + std::string(a) + " needs a value");
      bool ok = true;
      if (a == "-c") {
        ok = parse_number(v, cfg.connections);
      } else if (a == "-t") {
        ok = parse_number(v, cfg.threads);
      } else if (a == "-p") {
        ok = parse_number(v, cfg.pipeline);
      } else if (a == "-R") {
        ok = parse_number(v, cfg.rate);
      } else if (a == "-d") {
        ok = parse_number(v, cfg.duration_s);
      } else if (a == "-w") {
        ok = parse_number(v, cfg.warmup_s);
      } else if (a == "-n") {
        ok = parse_number(v, cfg.max_requests);
      } else if (a == "--timeout") {
        ok = parse_number(v, cfg.timeout_ms);
      } else if (a == "--pace-gap") {
        ok = parse_number(v, cfg.pace_gap_us);
      } else if (a == "-r") {
        parsed_requests r = parse_request_line(v);
        if (!r.error.empty()) return fail("-r: " + r.error);
        cfg.requests.push_back(std::move(r.requests.front()));
      } else if (a == "-f") {
        std::string text;
        if (!read_file(std::string(v), text))
          return fail("cannot read request file " + std::string(v));
        parsed_requests r = parse_request_file(text, v);
        if (!r.error.empty()) return fail(r.error);
        for (auto& spec : r.requests) cfg.requests.push_back(std::move(spec));
      } else if (a == "-H") {
        std::pair<std::string, std::string> h;
        if (!parse_header_line(v, h, error)) return fail("-H: " + error);
        common_headers.push_back(std::move(h));
      } else if (a == "-o") {
        o.output = std::string(v);
      } else {
        return fail("unknown option " + std::string(a));
      }
      if (!ok) return fail("bad value '" + std::string(v) + "' for " + std::string(a));
      continue;
    }
    if (!url.empty()) return fail("more than one URL");
    url = std::string(a);
  }
  if (url.empty()) return fail("no URL");
  std::string path;
  if (!parse_url(url, cfg.host, cfg.port, path, error)) return fail(error);
  if (cfg.requests.empty()) {
    parsed_requests r = parse_request_line("GET " + (path.empty() ? std::string("/") : path));
    if (!r.error.empty()) return fail(r.error);
    cfg.requests = std::move(r.requests);
  }
  for (auto& spec : cfg.requests)
    spec.headers.insert(spec.headers.begin(), common_headers.begin(), common_headers.end());
  if (std::string why = check_config(cfg); !why.empty()) return fail(why);
  return out;
}

}  // namespace lapwise::load
