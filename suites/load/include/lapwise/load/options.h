// lapwise-load's command line -> config. Errors are values (a message), never exits.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "lapwise/load/driver.h"

namespace lapwise::load {

struct options {
  config cfg;
  std::string output;  // JSON report path; empty = stdout
  bool quiet = false;  // no human summary on stderr
  bool help = false;
};

struct parsed_options {
  options opts;
  std::string error;  // empty on success
};

// args excludes argv[0]. Reads request files named by -f.
parsed_options parse_options(std::span<const std::string_view> args);
// "http://HOST:PORT[/path]" -> host, port, path ("" if none); false with a message on error.
bool parse_url(std::string_view url, std::string& host, std::uint16_t& port, std::string& path,
               std::string& error);
std::string usage();

}  // namespace lapwise::load
