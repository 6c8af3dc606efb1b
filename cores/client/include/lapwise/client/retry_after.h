// Retry-After and HTTP-date parsing (RFC 9110 §10.2.3, §5.6.7). Input is untrusted bytes from
// the network: every function accepts any byte string and answers nullopt when it is not valid.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "lapwise/client/types.h"

namespace lapwise::client {

// Seconds since the Unix epoch of an HTTP-date in any of the three forms a recipient must
// accept: IMF-fixdate "Sun, 06 Nov 1994 08:49:37 GMT", RFC 850 "Sunday, 06-Nov-94 08:49:37 GMT"
// (two-digit years 70..99 are 19xx, 00..69 are 20xx) and asctime "Sun Nov  6 08:49:37 1994".
// Fields are range-checked (a 31st of April is rejected); the weekday must be a valid name but
// is not cross-checked against the date. Surrounding whitespace is ignored.
std::optional<std::int64_t> parse_http_date(std::string_view text) noexcept;

// The wait a Retry-After value asks for: delta-seconds ("120"), or an HTTP-date taken relative
// to `now_unix` (the response's Date header when it has one, so that clock skew between client
// and server does not matter). A date in the past means no wait. Delta-seconds beyond ~31 years
// are clamped there. nullopt for anything else ("-1", "1.5", "soon", "").
std::optional<duration> parse_retry_after(std::string_view value, std::int64_t now_unix) noexcept;

}  // namespace lapwise::client
