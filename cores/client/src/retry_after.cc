// Hand-written scanners: the three HTTP-date layouts are fixed-width enough that a cursor with
// small "expect" helpers reads them exactly, with no locale and no allocation.
#include "lapwise/client/retry_after.h"

#include <array>
#include <chrono>
#include <cstddef>

namespace lapwise::client {
namespace {

constexpr std::array<std::string_view, 7> kDays = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
constexpr std::array<std::string_view, 7> kLongDays = {
    "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"};
constexpr std::array<std::string_view, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

class cursor {
 public:
  explicit cursor(std::string_view s) noexcept : s_(s) {}
  bool literal(std::string_view lit) noexcept {
    if (s_.substr(0, lit.size()) != lit) return false;
    s_.remove_prefix(lit.size());
    return true;
  }
  // Exactly `n` digits.
  bool digits(std::size_t n, int& out) noexcept {
    if (s_.size() < n) return false;
    int v = 0;
    for (std::size_t i = 0; i < n; ++i) {
      char c = s_[i];
      if (c < '0' || c > '9') return false;
      v = v * 10 + (c - '0');
    }
    s_.remove_prefix(n);
    out = v;
    return true;
  }
  template <std::size_t N>
  bool one_of(const std::array<std::string_view, N>& names, int& out) noexcept {
    for (std::size_t i = 0; i < N; ++i) {
      if (literal(names[i])) {
        out = static_cast<int>(i);
        return true;
      }
    }
    return false;
  }
  // "HH:MM:SS"
  bool clock(int& h, int& m, int& sec) noexcept {
    return digits(2, h) && literal(":") && digits(2, m) && literal(":") && digits(2, sec);
  }
  [[nodiscard]] bool at_end() const noexcept { return s_.empty(); }

 private:
  std::string_view s_;
};

bool leap(int y) noexcept { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int days_in_month(int y, int m) noexcept {  // m is 0-based
  constexpr std::array<int, 12> kLen = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 1 && leap(y) ? 29 : kLen[static_cast<std::size_t>(m)];
}

// Days from 1970-01-01 to y-m-d (m 1-based), valid for the proleptic Gregorian calendar.
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) noexcept {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

std::optional<std::int64_t> assemble(int year, int month0, int day, int h, int m, int s) noexcept {
  if (year < 1 || day < 1 || day > days_in_month(year, month0)) return std::nullopt;
  if (h > 23 || m > 59 || s > 60) return std::nullopt;  // 60: a leap second is a valid field
  // In 64 bits throughout: the day count times 86400 does not fit an int.
  const std::int64_t days =
      days_from_civil(year, static_cast<unsigned>(month0 + 1), static_cast<unsigned>(day));
  return days * 86400 + std::int64_t{h} * 3600 + std::int64_t{m} * 60 + s;
}

// "Sun, 06 Nov 1994 08:49:37 GMT"
std::optional<std::int64_t> imf_fixdate(std::string_view text) noexcept {
  cursor c(text);
  int wd, day, mon, year, h, m, s;
  if (c.one_of(kDays, wd) && c.literal(", ") && c.digits(2, day) && c.literal(" ") &&
      c.one_of(kMonths, mon) && c.literal(" ") && c.digits(4, year) && c.literal(" ") &&
      c.clock(h, m, s) && c.literal(" GMT") && c.at_end()) {
    return assemble(year, mon, day, h, m, s);
  }
  return std::nullopt;
}

// "Sunday, 06-Nov-94 08:49:37 GMT"
std::optional<std::int64_t> rfc850_date(std::string_view text) noexcept {
  cursor c(text);
  int wd, day, mon, yy, h, m, s;
  if (c.one_of(kLongDays, wd) && c.literal(", ") && c.digits(2, day) && c.literal("-") &&
      c.one_of(kMonths, mon) && c.literal("-") && c.digits(2, yy) && c.literal(" ") &&
      c.clock(h, m, s) && c.literal(" GMT") && c.at_end()) {
    return assemble(yy < 70 ? 2000 + yy : 1900 + yy, mon, day, h, m, s);
  }
  return std::nullopt;
}

// "Sun Nov  6 08:49:37 1994" (the day is space-padded to two characters)
std::optional<std::int64_t> asctime_date(std::string_view text) noexcept {
  cursor c(text);
  int wd, mon, day, year, h, m, s;
  if (!(c.one_of(kDays, wd) && c.literal(" ") && c.one_of(kMonths, mon) && c.literal(" "))) {
    return std::nullopt;
  }
  if (!(c.literal(" ") ? c.digits(1, day) : c.digits(2, day))) return std::nullopt;
  if (c.literal(" ") && c.clock(h, m, s) && c.literal(" ") && c.digits(4, year) && c.at_end()) {
    return assemble(year, mon, day, h, m, s);
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::int64_t> parse_http_date(std::string_view text) noexcept {
  text = trim(text);
  if (auto t = imf_fixdate(text)) return t;
  if (auto t = rfc850_date(text)) return t;
  return asctime_date(text);
}

std::optional<duration> parse_retry_after(std::string_view value, std::int64_t now_unix) noexcept {
  value = trim(value);
  if (value.empty()) return std::nullopt;
  constexpr std::int64_t kMaxSeconds = 1'000'000'000;  // ~31 years: far beyond any sane wait
  if (value.front() >= '0' && value.front() <= '9') {
    std::int64_t secs = 0;
    for (char c : value) {
      if (c < '0' || c > '9') return std::nullopt;
      if (secs < kMaxSeconds) secs = secs * 10 + (c - '0');
    }
    if (secs > kMaxSeconds) secs = kMaxSeconds;
    return std::chrono::seconds(secs);
  }
  auto at = parse_http_date(value);
  if (!at) return std::nullopt;
  std::int64_t wait = *at - now_unix;
  if (wait < 0) wait = 0;
  if (wait > kMaxSeconds) wait = kMaxSeconds;
  return std::chrono::seconds(wait);
}

}  // namespace lapwise::client
