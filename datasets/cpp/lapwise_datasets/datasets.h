// Finds and reads ../shared/datasets from C++ benchmarks and tests (never copied into the
// project). The folder is $LAPWISE_DATASETS_DIR, else the path CMake configured.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace lapwise::datasets {

inline std::filesystem::path root() {
  if (const char* env = std::getenv("LAPWISE_DATASETS_DIR"); env && *env) return env;
#ifdef LAPWISE_DATASETS_DIR_DEFAULT
  return LAPWISE_DATASETS_DIR_DEFAULT;
#else
  throw std::runtime_error("LAPWISE_DATASETS_DIR is not set");
#endif
}

// The file's bytes; throws std::runtime_error naming the path when it is missing.
inline std::string read(const std::filesystem::path& relative) {
  auto full = root() / relative;
  std::ifstream in(full, std::ios::binary);
  if (!in) throw std::runtime_error("dataset file not found: " + full.string());
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

struct route_line {
  std::string method;
  std::string pattern;  // httprouter syntax, as in the file
};

// routes/<name>.txt as (method, pattern) in file order.
inline std::vector<route_line> routes(const std::string& name) {
  std::string text = read("routes/" + name + ".txt");
  std::vector<route_line> out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(pos, end - pos);
    pos = end + 1;
    if (line.empty()) continue;
    std::size_t space = line.find(' ');
    if (space == std::string::npos)
      throw std::runtime_error("routes/" + name + ".txt: bad line: " + line);
    out.push_back({line.substr(0, space), line.substr(space + 1)});
  }
  return out;
}

}  // namespace lapwise::datasets
