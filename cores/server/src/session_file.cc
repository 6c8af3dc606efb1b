// The session's file bodies (file_body.h): where they sit in the output order, and what
// happens when one cannot be sent or its client leaves.
#include "lapwise/server/session.h"

namespace lapwise::server {

// A streamed part's file: dropped where the response sends no body (HEAD, 204, 304). After
// the head a file that fails its check cannot become a 500: the response stops here (nothing
// more of it is sent, the connection closes after what is queued, so the client sees a short
// body) and the producer is told as if its client had left. False then.
bool session::take_file(slot& s, file_body& f, bool checked) {
  if ((!s.chunked && !s.raw) || f.length() == 0) {
    f.reset();
    return true;
  }
  if (checked) return true;
  auto err = f.check();
  if (!err) return true;
  report(*err);
  f.reset();
  s.broken = true;
  s.close = true;
  closing_ = true;
  return false;
}

// `piece`, then the file, then `after`: straight to the output when the slot is first in
// line, else kept for the slot in that order (slot_files_) until it is.
void session::queue_file(slot& s, std::uint64_t seq, std::string& piece, file_body&& f,
                         std::string&& after) {
  if (&s == &slots_.front()) {
    append_out(piece);
    append_file(std::move(f));
    append_out(after);
    return;
  }
  if (!s.files) {
    s.bytes += piece;
    slot_bytes_ += piece.size();
  } else if (!piece.empty()) {
    keep_file(s, seq, {std::move(piece), {}});
  }
  if (f) keep_file(s, seq, {{}, std::move(f)});
  if (!after.empty()) keep_file(s, seq, {std::move(after), {}});
}

void session::keep_file(slot& s, std::uint64_t seq, queued&& q) {
  slot_bytes_ += q.bytes.size();
  s.files = true;
  slot_files_.push_back({seq, std::move(q)});
}

// A file after everything queued: it becomes the next output once out_ is written (file_),
// else it waits in later_; an empty piece after it takes what is appended next.
void session::append_file(file_body&& f) {
  if (!f) return;
  if (f.length() == 0) {
    f.reset();
    return;
  }
  file_bytes_ += f.length();
  if (later_.empty()) {
    file_ = std::move(f);
  } else {
    later_.back().file = std::move(f);
  }
  later_.emplace_back();
}

// The slot is first in line: its pieces join the output, in the order they came.
void session::flush_files(slot& s) {
  for (slot_file& k : slot_files_) {
    if (k.seq != base_seq_) continue;
    slot_bytes_ -= k.piece.bytes.size();
    append_out(k.piece.bytes);
    append_file(std::move(k.piece.file));
  }
  std::erase_if(slot_files_, [this](const slot_file& k) { return k.seq == base_seq_; });
  s.files = false;
}

void session::consume_file(std::size_t n) noexcept {
  if (!file_) return;
  const std::size_t was = file_.length();
  file_.advance(n);
  file_bytes_ -= was - file_.length();
  consume(0);  // the next queued piece, and what a smaller output lets resume
}

// The connection closed: no file is sent any more, so each closes now rather than when the
// session goes (a handler may hold the session open long after).
void session::drop_files() noexcept {
  file_.reset();
  for (queued& q : later_) q.file.reset();
  for (slot_file& k : slot_files_) k.piece.file.reset();
  file_bytes_ = 0;
}

}  // namespace lapwise::server
