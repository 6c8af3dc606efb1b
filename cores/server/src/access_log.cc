#include "access_log.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <system_error>

namespace lapwise::server::detail {
namespace {

constexpr std::size_t flush_at = 32 << 10;

bool same_name(std::string_view a, std::string_view lower) {
  if (a.size() != lower.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char c = a[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != lower[i]) return false;
  }
  return true;
}

std::string_view header_value(std::span<const parser::header> headers, std::string_view lower) {
  for (const parser::header& h : headers) {
    if (same_name(h.name, lower)) return h.value;
  }
  return {};
}

// Bytes a client sent, written so that they cannot end the quoted field or the line.
void append_escaped(std::string& out, std::string_view s) {
  static constexpr char hex[] = "0123456789abcdef";
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += ch;
    } else if (c < 0x20 || c >= 0x7f) {
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 15];
    } else {
      out += ch;
    }
  }
}

void append_quoted_or_dash(std::string& out, std::string_view s) {
  out += '"';
  if (s.empty()) {
    out += '-';
  } else {
    append_escaped(out, s);
  }
  out += '"';
}

void append_number(std::string& out, std::int64_t n) {
  char digits[24];
  const auto [end, ec] = std::to_chars(digits, digits + sizeof digits, n);
  out.append(digits, end);
}

}  // namespace

void append_access_line(std::string& out, const access_fields& f, const char* http_date) {
  if (f.client.empty()) {
    out += '-';
  } else {
    append_escaped(out, f.client);
  }
  // "Sun, 06 Dec 2026 15:13:07 GMT" -> "[06/Dec/2026:15:13:07 +0000]"
  const std::string_view d(http_date, 29);
  out.append(" - - [").append(d.substr(5, 2)).append("/").append(d.substr(8, 3)).append("/");
  out.append(d.substr(12, 4)).append(":").append(d.substr(17, 8)).append(" +0000] ");
  if (f.method.empty()) {
    out += "\"-\"";
  } else {
    out += '"';
    append_escaped(out, f.method);
    out += ' ';
    append_escaped(out, f.path);
    if (!f.query.empty()) {
      out += '?';
      append_escaped(out, f.query);
    }
    out += f.version_minor == 0 ? " HTTP/1.0\"" : " HTTP/1.1\"";
  }
  out += ' ';
  append_number(out, f.status);
  out += ' ';
  if (f.bytes < 0) {
    out += '-';
  } else {
    append_number(out, f.bytes);
  }
  out += ' ';
  append_quoted_or_dash(out, header_value(f.headers, "referer"));
  out += ' ';
  append_quoted_or_dash(out, header_value(f.headers, "user-agent"));
  out += '\n';
}

access_log::access_log(const std::string& where) {
  if (where == "-") {
    fd_ = STDERR_FILENO;
    return;
  }
  fd_ = ::open(where.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) {
    throw std::system_error(errno, std::generic_category(), "cannot open the access log " + where);
  }
  owned_ = true;
}

access_log::~access_log() {
  flush();
  if (owned_) ::close(fd_);
}

void access_log::add(const access_fields& f, const char* http_date) {
  const std::lock_guard lock(mu_);
  append_access_line(buffer_, f, http_date);
  if (buffer_.size() >= flush_at) write_locked();
}

void access_log::flush() {
  const std::lock_guard lock(mu_);
  write_locked();
}

void access_log::write_locked() {
  std::size_t done = 0;
  while (done < buffer_.size()) {
    const ssize_t n = ::write(fd_, buffer_.data() + done, buffer_.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // a full disk or a closed stderr loses log lines, never a request
    done += static_cast<std::size_t>(n);
  }
  buffer_.clear();
}

}  // namespace lapwise::server::detail
