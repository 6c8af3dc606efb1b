// Reading a shared dataset file for a gate driver, without moving the measured counts.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>

#include "gate_driver.h"

namespace lapwise::gate {

// The bytes of `relative` under LAPWISE_DATASETS_DIR (else the configured default); throws
// missing_input when the file cannot be opened.
//
// Read through a fixed-size path buffer and one growing string (not lapwise::datasets, whose
// path objects allocate by the path's length) so that the heap, and with it the measured
// instructions, does not depend on where the datasets live: glibc's string functions take
// address-dependent paths, and the linear router's count moved by a few hundred instructions
// with the folder's name otherwise. `path_out`, when given, receives the full path for messages.
inline std::string read_dataset(const char* relative, std::string* path_out = nullptr) {
  const char* dir = std::getenv("LAPWISE_DATASETS_DIR");
  if (dir == nullptr || *dir == '\0') dir = LAPWISE_DATASETS_DIR_DEFAULT;
  char path[4096];
  int n = std::snprintf(path, sizeof path, "%s/%s", dir, relative);
  if (n < 0 || static_cast<std::size_t>(n) >= sizeof path) {
    throw missing_input{"dataset path too long"};
  }
  std::FILE* file = std::fopen(path, "rb");
  if (file == nullptr) throw missing_input{std::string("cannot open ") + path};
  std::string text;
  char chunk[4096];
  for (std::size_t got; (got = std::fread(chunk, 1, sizeof chunk, file)) > 0;)
    text.append(chunk, got);
  std::fclose(file);
  if (path_out != nullptr) path_out->assign(path);
  return text;
}

}  // namespace lapwise::gate
