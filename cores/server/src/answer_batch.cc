// answer_batch: the wake-ups of io threads, held per thread until the outermost guard ends.
#include "answer_batch.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "lapwise/server/server.h"

namespace lapwise::server {
namespace {

struct held_wakes {
  int depth = 0;
  std::vector<std::pair<const void*, void (*)(const void*)>> wakes;
};

thread_local held_wakes held;

}  // namespace

answer_batch::answer_batch() noexcept { ++held.depth; }

answer_batch::~answer_batch() {
  if (--held.depth != 0) return;
  // Swapped out first: a wake that answers (it does not today) would start a fresh list.
  std::vector<std::pair<const void*, void (*)(const void*)>> now;
  now.swap(held.wakes);
  for (const auto& [key, wake] : now) wake(key);
  now.clear();
  if (held.wakes.empty()) held.wakes.swap(now);  // keep the capacity for the next batch
}

namespace detail {

bool defer_wake(const void* key, void (*wake)(const void*)) {
  if (held.depth == 0) return false;
  const auto same = [key](const auto& w) { return w.first == key; };
  if (std::none_of(held.wakes.begin(), held.wakes.end(), same)) held.wakes.emplace_back(key, wake);
  return true;
}

}  // namespace detail
}  // namespace lapwise::server
