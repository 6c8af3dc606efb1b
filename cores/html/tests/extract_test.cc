// extractor: each take, first-only fields, compile errors naming the field, and extract_many's
// order and agreement across thread counts (including more threads than pages).
#include "lapwise/html/extract.h"

#include <gtest/gtest.h>

#include <mutex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace lapwise::html {
namespace {

constexpr std::string_view kPage =
    "<title> A  title </title><meta name=d content=x><meta charset=utf-8>"
    "<h1>One <b>two</b></h1><a href=/1>x</a><a>none</a><a href=/2>y</a>"
    "<table><tr><td>c1<td>c2</table><script>s()</script>";

field_spec field(std::string css, take what, bool first = false, std::string attr = {}) {
  field_spec f;
  f.selector = std::move(css);
  f.what = what;
  f.first_only = first;
  f.attr = std::move(attr);
  return f;
}

TEST(HtmlExtract, EachTake) {
  field_spec raw = field("title", take::text);
  raw.mode = text_mode::raw;
  extractor ex({field("title", take::text, true), raw, field("a", take::attr, false, "href"),
                field("meta", take::attrs), field("h1", take::html), field("h1", take::inner_html),
                field("td", take::text)});
  ASSERT_TRUE(ex.ok());
  extracted_page p = ex.extract(parse(kPage));
  ASSERT_EQ(p.size(), 7u);
  EXPECT_EQ(p[0].values, std::vector<std::string>{"A title"});
  EXPECT_EQ(p[1].values, std::vector<std::string>{" A  title "});
  EXPECT_EQ(p[2].values, (std::vector<std::string>{"/1", "/2"}));
  EXPECT_EQ(p[3].values,
            (std::vector<std::string>{"name", "d", "content", "x", "charset", "utf-8"}));
  EXPECT_EQ(p[3].counts, (std::vector<std::uint32_t>{2, 1}));
  EXPECT_EQ(p[4].values, std::vector<std::string>{"<h1>One <b>two</b></h1>"});
  EXPECT_EQ(p[5].values, std::vector<std::string>{"One <b>two</b>"});
  EXPECT_EQ(p[6].values, (std::vector<std::string>{"c1", "c2"}));
}

TEST(HtmlExtract, FirstOnlyAttrTakesTheFirstMatchHavingIt) {
  extractor ex(
      {field("a:not([href]), a", take::attr, true, "href"), field("video", take::text, true)});
  extracted_page p = ex.extract(parse(kPage));
  EXPECT_EQ(p[0].values, std::vector<std::string>{"/1"});
  EXPECT_TRUE(p[1].values.empty());
}

TEST(HtmlExtract, ErrorsNameTheField) {
  extractor ex({field("a", take::text), field("p >", take::text), field("::x", take::text)});
  ASSERT_FALSE(ex.ok());
  EXPECT_EQ(ex.error().field, 1u);
  EXPECT_EQ(ex.error().where.position, 3u);
  extracted_page p = ex.extract(parse(kPage));
  ASSERT_EQ(p.size(), 3u);
  EXPECT_TRUE(p[0].values.empty());
}

TEST(HtmlExtract, ManyKeepsOrderOnAnyThreadCount) {
  std::vector<std::string> texts;
  for (int i = 0; i < 40; ++i)
    texts.push_back("<title>" + std::to_string(i) + "</title>" + std::string(i * 100, 'x'));
  std::vector<std::string_view> pages(texts.begin(), texts.end());
  extractor ex({field("title", take::text, true)});
  const auto one = ex.extract_many(pages, 1);
  ASSERT_EQ(one.size(), pages.size());
  for (std::size_t i = 0; i < one.size(); ++i)
    EXPECT_EQ(one[i][0].values, std::vector<std::string>{std::to_string(i)});
  for (unsigned threads : {0u, 2u, 3u, 64u}) EXPECT_EQ(ex.extract_many(pages, threads), one);
  EXPECT_TRUE(ex.extract_many({}, 2).empty());
}

TEST(HtmlExtract, EachHandsEveryPageOnceToTheSink) {
  std::vector<std::string> texts;
  for (int i = 0; i < 40; ++i) texts.push_back("<title>" + std::to_string(i) + "</title>");
  std::vector<std::string_view> pages(texts.begin(), texts.end());
  extractor ex({field("title", take::text, true)});
  std::mutex mu;
  std::vector<int> seen(pages.size(), 0);
  ex.extract_each(pages, 3, [&](std::size_t i, extracted_page&& page) {
    std::lock_guard<std::mutex> lock(mu);
    ++seen[i];
    EXPECT_EQ(page[0].values, std::vector<std::string>{std::to_string(i)});
  });
  EXPECT_EQ(seen, std::vector<int>(pages.size(), 1));
  // A sink that throws stops the run and the exception reaches the caller.
  EXPECT_THROW(ex.extract_each(
                   pages, 2, [](std::size_t, extracted_page&&) { throw std::runtime_error("x"); }),
               std::runtime_error);
}

}  // namespace
}  // namespace lapwise::html
