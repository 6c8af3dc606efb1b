// Internals shared by the client's translation units (not installed).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "lapwise/client/types.h"

namespace lapwise::client::detail {

// curl_global_init, once per process (thread-safe).
void global_init();

// "scheme://host:port" of an absolute http/https URL (the per-host cap's key), or nullopt with
// the reason in `*why`.
std::optional<std::string> host_key(const std::string& url, std::string* why);

// RFC 9110 §9.2.2.
bool idempotent(std::string_view method) noexcept;

std::optional<std::string> check_policy(const policy& p);
// Checks the request's method and headers (the URL is host_key's job).
std::optional<std::string> check_request_fields(const request& r);

// Validates every request and the policy in one pass, and numbers the hosts (in order of first
// appearance) for the per-host caps: each URL is parsed once, and a URL equal to the previous
// request's is not parsed again.
std::optional<invalid_input> index_hosts(std::span<const request> requests, const policy& p,
                                         std::vector<std::uint32_t>* host_of,
                                         std::vector<std::string>* host_keys);

}  // namespace lapwise::client::detail
