// Private: how a transport's cross-thread post defers its wake-up under an answer_batch.
#pragma once

namespace lapwise::server::detail {

// True when the calling thread holds an answer_batch: `wake(key)` then runs once per `key`
// when the outermost batch ends (the caller must not wake now). False: wake now.
bool defer_wake(const void* key, void (*wake)(const void*));

}  // namespace lapwise::server::detail
