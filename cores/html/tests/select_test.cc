// CSS selectors: each form against one fixed document, answers as the ids of the matches in
// document order; then the errors, which must name a position and never crash.
#include "lapwise/html/select.h"

#include <gtest/gtest.h>

#include <string>

#include "lapwise/html/document.h"

namespace lapwise::html {
namespace {

// Every element that a case can match carries an id, so answers read as id lists.
constexpr const char* kPage = R"(<!DOCTYPE html>
<html id=root><head id=head><title id=t>Title</title>
<meta id=m1 name=description content="A page"><meta id=m2 charset=utf-8></head>
<body id=body>
<div id=d1 class="box main" lang=en-US data-x="a b c">
  <p id=p1 class=intro>one <a id=a1 href="https://example.com/x.pdf">pdf</a></p>
  <p id=p2>two <a id=a2 href="/local" title=Home>home</a></p>
  <ul id=ul1><li id=li1>1</li><li id=li2 class=odd>2</li><li id=li3>3</li><li id=li4>4</li><li id=li5>5</li></ul>
  <span id=s1></span>
</div>
<div id=d2 class=box lang=en><h2 id=h2>Head</h2><p id=p3 class="intro extra">three</p><table id=tb><tr id=tr1><td id=c1>x</td><td id=c2>y</td></tr></table></div>
<svg id=svg1 viewBox="0 0 1 1"><foreignObject id=fo></foreignObject></svg>
</body></html>)";

std::string ids(const document& doc, const std::vector<node_id>& nodes) {
  std::string out;
  for (node_id n : nodes) {
    if (!out.empty()) out += ' ';
    auto id = doc.attr(n, "id");
    out += id ? std::string(*id) : "?";
  }
  return out;
}

struct select_case {
  const char* css;
  const char* expected;  // ids, space separated
};

const select_case kSelectCases[] = {
    // type, universal, id, class
    {"p", "p1 p2 p3"},
    {"P", "p1 p2 p3"},
    {"li", "li1 li2 li3 li4 li5"},
    {"body *", "d1 p1 a1 p2 a2 ul1 li1 li2 li3 li4 li5 s1 d2 h2 p3 tb ? tr1 c1 c2 svg1 fo"},
    {"#p2", "p2"},
    {"p#p2", "p2"},
    {"div#p2", ""},
    {".box", "d1 d2"},
    {".box.main", "d1"},
    {".intro.extra", "p3"},
    {"div.box > p.intro", "p1 p3"},
    {"foreignobject", "fo"},
    // attributes
    {"[href]", "a1 a2"},
    {"a[href]", "a1 a2"},
    {"[title=Home]", "a2"},
    {"[title='Home']", "a2"},
    {"[title=\"home\"]", ""},
    {"[title=\"home\" i]", "a2"},
    {"[data-x~=b]", "d1"},
    {"[data-x~=\"a b\"]", ""},
    {"[lang|=en]", "d1 d2"},
    {"[lang|=en-US]", "d1"},
    {"[href^=https]", "a1"},
    {"[href^='']", ""},
    {"[href$=\".pdf\"]", "a1"},
    {"[href*=example]", "a1"},
    {"[href*=EXAMPLE i]", "a1"},
    {"meta[name=description][content]", "m1"},
    {"[viewbox]", "svg1"},
    {"[ id = c2 ]", "c2"},
    // combinators
    {"div p", "p1 p2 p3"},
    {"div > p", "p1 p2 p3"},
    {"body > p", ""},
    {"p + p", "p2"},
    {"h2 + p", "p3"},
    {"p ~ span", "s1"},
    {"p ~ *", "p2 ul1 s1 tb"},
    {"li + li + li", "li3 li4 li5"},
    {"div a", "a1 a2"},
    {"html div > p > a", "a1 a2"},
    {"table td", "c1 c2"},
    {"tr > td:last-child", "c2"},
    // groups: document order, no duplicates
    {"a, p", "p1 a1 p2 a2 p3"},
    {"p, .intro, #p1", "p1 p2 p3"},
    {"h2,title", "t h2"},
    // structural pseudo-classes
    {"li:first-child", "li1"},
    {"li:last-child", "li5"},
    {"li:nth-child(2)", "li2"},
    {"li:nth-child(odd)", "li1 li3 li5"},
    {"li:nth-child(even)", "li2 li4"},
    {"li:nth-child(2n+1)", "li1 li3 li5"},
    {"li:nth-child(3n)", "li3"},
    {"li:nth-child(-n+2)", "li1 li2"},
    {"li:nth-child(n+4)", "li4 li5"},
    {"li:nth-child( 2n - 1 )", "li1 li3 li5"},
    {"li:nth-last-child(1)", "li5"},
    {"p:first-of-type", "p1 p3"},
    {"p:last-of-type", "p2 p3"},
    {"span:empty", "s1"},
    {"li:only-child", ""},
    {"title:only-child", ""},
    {":root", "root"},
    // negation
    {"li:not(.odd)", "li1 li3 li4 li5"},
    {"p:not(.intro)", "p2"},
    {"li:not(:first-child):not(:last-child)", "li2 li3 li4"},
    {"div:not(.main, [lang=en])", ""},
    {"p:not(div > p)", ""},
    {"a:not([href^=http])", "a2"},
    // escapes
    {"#\\70 1", "p1"},
    {"[data-x=\"a\\20 b c\"]", "d1"},
};

class Select : public testing::TestWithParam<select_case> {
 protected:
  static const document& doc() {
    static const document d = parse(kPage);
    return d;
  }
};

TEST_P(Select, MatchesInDocumentOrder) {
  const select_case& c = GetParam();
  selector s(c.css);
  ASSERT_TRUE(s.ok()) << c.css << ": " << s.error().message << " at " << s.error().position;
  std::vector<node_id> got = s.select(doc());
  EXPECT_EQ(ids(doc(), got), c.expected) << c.css;
  node_id one = s.select_one(doc());
  if (got.empty()) {
    EXPECT_EQ(one, no_node);
  } else {
    EXPECT_EQ(one, got.front());
  }
  for (node_id n : got) EXPECT_TRUE(s.matches(doc(), n));
  // Element by element with one memo for the whole walk (as extraction does): the same set.
  match_memo memo(doc());
  std::vector<node_id> walked;
  for (node_id n = document::root(); n != no_node; n = doc().next_in_order(n, document::root()))
    if (s.matches(doc(), n, memo)) walked.push_back(n);
  EXPECT_EQ(ids(doc(), walked), c.expected) << c.css;
}

INSTANTIATE_TEST_SUITE_P(Forms, Select, testing::ValuesIn(kSelectCases));

TEST(SelectScope, SubtreeOnlyButCombinatorsSeeOutside) {
  document doc = parse(kPage);
  node_id d2 = selector("#d2").select_one(doc);
  ASSERT_NE(d2, no_node);
  EXPECT_EQ(ids(doc, selector("p").select(doc, d2)), "p3");
  EXPECT_EQ(ids(doc, selector("body p").select(doc, d2)), "p3");
  EXPECT_EQ(ids(doc, selector("div").select(doc, d2)), "");  // the scope itself is excluded
}

struct error_case {
  const char* css;
  std::size_t position;
};

const error_case kErrorCases[] = {
    {"", 0},          {"   ", 3},
    {"p >", 3},       {"> p", 0},
    {"p,", 2},        {",p", 0},
    {"#", 1},         {".", 1},
    {"[", 1},         {"[a", 2},
    {"[a=]", 3},      {"[a~b]", 2},
    {"[a='x", 5},     {"p:hover", 2},
    {"p::before", 2}, {":nth-child(x)", 11},
    {":not(p", 6},    {"ns|p", 2},
    {"p)", 1},        {"a..b", 2},
    {"[a=b x]", 5},   {":nth-child(2n+", 14},
};

class SelectErrors : public testing::TestWithParam<error_case> {};

TEST_P(SelectErrors, NamePosition) {
  const error_case& c = GetParam();
  selector s(c.css);
  EXPECT_FALSE(s.ok()) << c.css;
  EXPECT_EQ(s.error().position, c.position) << c.css << ": " << s.error().message;
  EXPECT_FALSE(s.error().message.empty());
  document doc = parse("<p>x");
  EXPECT_TRUE(s.select(doc).empty());
  EXPECT_EQ(s.select_one(doc), no_node);
}

INSTANTIATE_TEST_SUITE_P(Invalid, SelectErrors, testing::ValuesIn(kErrorCases));

TEST(SelectErrors, DeepNestingRejectedNotRecursedInto) {
  std::string deep;
  for (int i = 0; i < 10000; ++i) deep += ":not(";
  selector s(deep);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("nested"), std::string::npos);
}

TEST(SelectMemo, SharedBySelectorsAndRefusedForAnotherDocument) {
  document doc = parse(kPage);
  document other = parse("<ul><li><a id=x>x</a></li></ul>");
  selector in_list("ul li > a"), in_div("div a"), links("a");
  match_memo memo(doc);
  std::string got;
  for (node_id n = document::root(); n != no_node; n = doc.next_in_order(n, document::root())) {
    if (in_div.matches(doc, n, memo)) got += "d";
    if (in_list.matches(doc, n, memo)) got += "l";
  }
  EXPECT_EQ(got, "dd");  // a1 and a2 sit in a div, neither in a list
  node_id x = links.select_one(other);
  ASSERT_NE(x, no_node);
  EXPECT_TRUE(in_list.matches(other, x, memo));  // memo is doc's: answered without it
}

TEST(SelectCompiled, MayMatchNamesTheTagsARightmostTypeAllows) {
  selector cells("td, th"), any(".x"), mixed("td, .x"), custom("my-el"), bad("a[");
  EXPECT_TRUE(cells.may_match(tag::td));
  EXPECT_TRUE(cells.may_match(tag::th));
  EXPECT_FALSE(cells.may_match(tag::a));
  EXPECT_TRUE(any.may_match(tag::a));
  EXPECT_TRUE(mixed.may_match(tag::a));
  EXPECT_TRUE(custom.may_match(tag::div));  // not a known tag: no tag test applies
  EXPECT_TRUE(bad.may_match(tag::a));
}

TEST(SelectCompiled, SharedAcrossDocuments) {
  selector s("a[href]");
  document one = parse("<a href=1>x</a>");
  document two = parse("<a>no</a><a href=2>y</a><a href=3>z</a>");
  EXPECT_EQ(s.select(one).size(), 1u);
  EXPECT_EQ(s.select(two).size(), 2u);
}

}  // namespace
}  // namespace lapwise::html
