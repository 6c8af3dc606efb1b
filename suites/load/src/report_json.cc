#include "lapwise/load/report_json.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <string_view>

namespace lapwise::load {
namespace {

void write_string(std::ostream& out, std::string_view s) {
  out << '"';
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out << '\\' << c;
    } else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out << buf;
    } else {
      out << c;
    }
  }
  out << '"';
}

// JSON has no inf/nan; none should reach here, but a report must always parse.
void write_number(std::ostream& out, double v) {
  if (!std::isfinite(v)) {
    out << "null";
    return;
  }
  char buf[64];  // shortest text that reads back as the same double
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  out << std::string_view(buf, static_cast<std::size_t>(r.ptr - buf));
}

void write_counters(std::ostream& out, const counters& c) {
  out << "{\"issued\": " << c.issued << ", \"sent\": " << c.sent << ", \"ok\": " << c.ok
      << ", \"failed\": " << c.failed << "}";
}

double us(std::uint64_t ns) { return static_cast<double>(ns) / 1e3; }

// {count, p50, p90, p99, p99.9, max} in microseconds.
void write_percentiles(std::ostream& out, const histogram& h) {
  out << "{\"count\": " << h.count();
  for (auto [name, p] :
       {std::pair<const char*, double>{"p50", 50}, {"p90", 90}, {"p99", 99}, {"p99.9", 99.9}}) {
    out << ", \"" << name << "\": ";
    write_number(out, us(h.value_at_percentile(p)));
  }
  out << ", \"max\": ";
  write_number(out, us(h.max_value()));
  out << "}";
}

}  // namespace

double cpu_utilisation(const report& rep) noexcept {
  return rep.wall_s > 0 ? (rep.cpu_user_s + rep.cpu_system_s) / rep.wall_s : 0;
}

void write_json(std::ostream& out, const config& cfg, const report& rep) {
  out << "{\"tool\": \"lapwise-load\", \"format\": 1,\n \"config\": {\"host\": ";
  write_string(out, cfg.host);
  out << ", \"port\": " << cfg.port << ", \"connections\": " << cfg.connections
      << ", \"threads\": " << cfg.threads << ", \"pipeline\": " << cfg.pipeline << ", \"rate\": ";
  write_number(out, cfg.rate);
  out << ", \"mode\": \"" << (cfg.rate > 0 ? "open" : "closed") << "\", \"duration_s\": ";
  write_number(out, cfg.duration_s);
  out << ", \"warmup_s\": ";
  write_number(out, cfg.warmup_s);
  out << ", \"max_requests\": " << cfg.max_requests << ", \"timeout_ms\": " << cfg.timeout_ms
      << ", \"pace_gap_us\": " << cfg.pace_gap_us << ",\n  \"requests\": [";
  for (std::size_t i = 0; i < cfg.requests.size(); ++i) {
    const request_spec& r = cfg.requests[i];
    out << (i ? ", " : "") << "{\"method\": ";
    write_string(out, r.method);
    out << ", \"target\": ";
    write_string(out, r.target);
    out << ", \"expect_status\": " << r.expect_status << ", \"expect_length\": " << r.expect_length
        << "}";
  }
  const double tput = rep.elapsed_s > 0 ? static_cast<double>(rep.measured.ok) / rep.elapsed_s : 0;
  out << "]},\n \"elapsed_s\": ";
  write_number(out, rep.elapsed_s);
  out << ", \"throughput_rps\": ";
  write_number(out, tput);
  out << ",\n \"requests\": ";
  write_counters(out, rep.measured);
  out << ",\n \"errors\": {";
  for (std::size_t i = 0; i < failure_kind_names.size(); ++i)
    out << (i ? ", " : "") << '"' << failure_kind_names[i] << "\": " << rep.measured.errors[i];
  out << "},\n \"warmup\": ";
  write_counters(out, rep.warmup);
  out << ",\n \"connections\": {\"opened\": " << rep.connects
      << ", \"connect_errors\": " << rep.connect_errors
      << "},\n \"latency_us\": {\"count\": " << rep.latency_ns.count() << ", \"min\": ";
  write_number(out, us(rep.latency_ns.min_value()));
  out << ", \"mean\": ";
  write_number(out, rep.latency_ns.mean() / 1e3);
  for (auto [name, p] : {std::pair<const char*, double>{"p50", 50},
                         {"p90", 90},
                         {"p99", 99},
                         {"p99.9", 99.9},
                         {"p99.99", 99.99}}) {
    out << ", \"" << name << "\": ";
    write_number(out, us(rep.latency_ns.value_at_percentile(p)));
  }
  out << ", \"max\": ";
  write_number(out, us(rep.latency_ns.max_value()));
  out << ", \"saturated\": " << rep.latency_ns.saturated() << "},\n \"open_loop\": {";
  const std::pair<const char*, const histogram*> parts[] = {
      {"send_lateness_us", &rep.send_lateness_ns},
      {"loadgen_lateness_us", &rep.loadgen_lateness_ns},
      {"response_us", &rep.response_ns}};
  for (std::size_t i = 0; i < std::size(parts); ++i) {
    out << (i ? ",\n  " : "") << '"' << parts[i].first << "\": ";
    write_percentiles(out, *parts[i].second);
  }
  out << "},\n \"histogram\": {\"digits\": " << rep.latency_ns.digits()
      << ", \"highest_ns\": " << rep.latency_ns.highest() << "},\n \"cpu\": {\"user_s\": ";
  write_number(out, rep.cpu_user_s);
  out << ", \"system_s\": ";
  write_number(out, rep.cpu_system_s);
  out << ", \"wall_s\": ";
  write_number(out, rep.wall_s);
  out << ", \"utilisation\": ";
  write_number(out, cpu_utilisation(rep));
  out << "},\n \"bytes\": {\"read\": " << rep.bytes_read << ", \"written\": " << rep.bytes_written
      << "},\n \"first_errors\": [";
  for (std::size_t i = 0; i < rep.first_errors.size(); ++i) {
    if (i) out << ", ";
    write_string(out, rep.first_errors[i]);
  }
  out << "]}\n";
}

void write_summary(std::ostream& out, const config& cfg, const report& rep) {
  char line[256];
  std::snprintf(line, sizeof line, "%s loop, %u connections, pipeline %u%s, %.2fs measured\n",
                cfg.rate > 0 ? "open" : "closed", cfg.connections, cfg.pipeline,
                cfg.rate > 0 ? (", rate " + std::to_string(cfg.rate)).c_str() : "", rep.elapsed_s);
  out << line;
  const double tput = rep.elapsed_s > 0 ? static_cast<double>(rep.measured.ok) / rep.elapsed_s : 0;
  std::snprintf(line, sizeof line,
                "  %llu ok, %llu failed of %llu issued: %.1f req/s\n"
                "  latency us: p50 %.1f  p90 %.1f  p99 %.1f  p99.9 %.1f  max %.1f\n",
                static_cast<unsigned long long>(rep.measured.ok),
                static_cast<unsigned long long>(rep.measured.failed),
                static_cast<unsigned long long>(rep.measured.issued), tput,
                us(rep.latency_ns.value_at_percentile(50)),
                us(rep.latency_ns.value_at_percentile(90)),
                us(rep.latency_ns.value_at_percentile(99)),
                us(rep.latency_ns.value_at_percentile(99.9)), us(rep.latency_ns.max_value()));
  out << line;
  if (cfg.rate > 0) {
    std::snprintf(line, sizeof line,
                  "  send lateness us: p50 %.1f  p99 %.1f  p99.9 %.1f (generator's own: p99 %.1f"
                  "  p99.9 %.1f)\n",
                  us(rep.send_lateness_ns.value_at_percentile(50)),
                  us(rep.send_lateness_ns.value_at_percentile(99)),
                  us(rep.send_lateness_ns.value_at_percentile(99.9)),
                  us(rep.loadgen_lateness_ns.value_at_percentile(99)),
                  us(rep.loadgen_lateness_ns.value_at_percentile(99.9)));
    out << line;
  }
  std::snprintf(line, sizeof line, "  cpu %.2fs user + %.2fs system over %.2fs: %.0f%% of a core\n",
                rep.cpu_user_s, rep.cpu_system_s, rep.wall_s, 100 * cpu_utilisation(rep));
  out << line;
  if (rep.measured.failed || rep.connect_errors) {
    out << "  errors:";
    for (std::size_t i = 0; i < failure_kind_names.size(); ++i)
      if (rep.measured.errors[i])
        out << ' ' << failure_kind_names[i] << ' ' << rep.measured.errors[i];
    if (rep.connect_errors) out << " connect " << rep.connect_errors;
    out << '\n';
    for (const auto& e : rep.first_errors) out << "    " << e << '\n';
  }
}

}  // namespace lapwise::load
