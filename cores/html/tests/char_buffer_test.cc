// The document's byte buffer: every length of the inline copy, growth, and appends of its own
// bytes (a view of the buffer handed back to it must survive the buffer growing).
#include "lapwise/html/char_buffer.h"

#include <gtest/gtest.h>

#include <string>

namespace lapwise::html::detail {
namespace {

TEST(CharBuffer, EveryShortLengthCopiesExactly) {
  std::string source;
  for (int i = 0; i < 64; ++i) source += static_cast<char>('a' + i % 26);
  char_buffer b;
  std::string want;
  for (std::size_t len = 0; len <= 40; ++len) {
    for (std::size_t at = 0; at + len <= source.size(); at += 7) {
      b.append(std::string_view(source).substr(at, len));
      want.append(source, at, len);
    }
  }
  EXPECT_EQ(b.view(), want);
}

TEST(CharBuffer, OwnBytesSurviveGrowth) {
  char_buffer b;
  b.append("0123456789");
  for (int i = 0; i < 12; ++i) b.append(b.view());  // doubles past every capacity step
  std::string want = "0123456789";
  for (int i = 0; i < 12; ++i) want += want;
  EXPECT_EQ(b.view(), want);
  b.append_own(3, 4);
  b.append_zeros(3);
  b.write_at(0, "ab");
  want += "3456";
  want.append(3, '\0');
  want.replace(0, 2, "ab");
  EXPECT_EQ(b.view(), want);
}

TEST(CharBuffer, CopiesAndMovesKeepTheBytes) {
  char_buffer a;
  a.append("some text");
  char_buffer c = a;
  const char* before = a.data();
  char_buffer m = std::move(a);
  EXPECT_EQ(m.data(), before);  // moved, not copied: views stay valid
  EXPECT_EQ(c.view(), "some text");
  EXPECT_EQ(m.view(), "some text");
}

}  // namespace
}  // namespace lapwise::html::detail
