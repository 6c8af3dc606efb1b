// The arena DOM's reading half: attributes, traversal, text modes and the serialiser.
#include <gtest/gtest.h>

#include <string>

#include "lapwise/html/document.h"
#include "lapwise/html/select.h"

namespace lapwise::html {
namespace {

node_id first(const document& doc, std::string_view css) {
  selector s(css);
  EXPECT_TRUE(s.ok()) << css << ": " << s.error().message;
  return s.select_one(doc);
}

TEST(Dom, StructureAndAtoms) {
  document doc =
      parse("<!DOCTYPE html><title>T</title><p id=a class='x y'>one<my-tag>two</my-tag>");
  EXPECT_EQ(doc.kind(document::root()), node_kind::document);
  node_id html = doc.document_element();
  ASSERT_NE(html, no_node);
  EXPECT_TRUE(doc.is_html(html, tag::html));
  EXPECT_TRUE(doc.is_html(doc.head(), tag::head));
  EXPECT_TRUE(doc.is_html(doc.body(), tag::body));
  node_id p = first(doc, "p");
  EXPECT_EQ(doc.name(p), "p");
  EXPECT_EQ(doc.tag_of(p), tag::p);
  EXPECT_EQ(doc.parent(p), doc.body());
  node_id custom = first(doc, "my-tag");
  EXPECT_EQ(doc.name(custom), "my-tag");
  EXPECT_EQ(doc.tag_of(custom), tag::none);
  EXPECT_EQ(doc.find_atom("my-tag"), doc.at(custom).name);
  EXPECT_FALSE(doc.find_atom("never-seen"));
  EXPECT_EQ(doc.prev_sibling(custom), doc.first_child(p));
  EXPECT_EQ(doc.kind(doc.first_child(document::root())), node_kind::doctype);
  EXPECT_EQ(doc.data(doc.first_child(document::root())), "html");
}

TEST(Dom, Attributes) {
  document doc = parse("<a href='/x?a=1&amp;b=2' data-X=\"q\" empty>t</a>");
  node_id a = first(doc, "a");
  ASSERT_EQ(doc.attr_count(a), 3u);
  EXPECT_EQ(doc.attr_name(a, 0), "href");
  EXPECT_EQ(doc.attr_value(a, 0), "/x?a=1&b=2");
  EXPECT_EQ(doc.attr_name(a, 1), "data-x");  // attribute names are lower-cased
  EXPECT_EQ(doc.attr(a, "empty"), std::string_view(""));
  EXPECT_FALSE(doc.attr(a, "missing"));
  EXPECT_EQ(doc.attr_count(doc.first_child(a)), 0u);  // text nodes have none
}

TEST(Dom, AdoptionAgencyClonesShareAttributes) {
  document doc = parse("<b class=k>1<p>2</b>3");
  selector s("b.k");
  EXPECT_EQ(s.select(doc).size(), 2u);
}

struct text_case {
  const char* name;
  const char* html;
  const char* raw;
  const char* normalized;
  const char* strings;
};

const text_case kTextCases[] = {
    {"plain", "<p>hello</p>", "hello", "hello", "hello"},
    {"inline_markup", "<p>a<b>b</b>c</p>", "abc", "abc", "a b c"},
    {"whitespace_runs", "<p>  a \n\t b  <i> c </i>\n</p>", "  a \n\t b   c \n", "a b c",
     "a \n\t b c"},
    {"entities", "<p>x&amp;y&nbsp;z</p>", "x&y\xC2\xA0z", "x&y\xC2\xA0z", "x&y\xC2\xA0z"},
    {"script_style", "<div>a<script>var s=1;</script><style>p{}</style>b</div>", "avar s=1;p{}b",
     "avar s=1;p{}b", "a b"},
    {"only_whitespace", "<div> \n </div>", " \n ", "", ""},
    {"nested_blocks", "<div><p>one</p>\n<p>two</p></div>", "one\ntwo", "one two", "one two"},
    {"comments_ignored", "<p>a<!-- c -->b</p>", "ab", "ab", "a b"},
    // strings trims what Python's strip() trims: U+00A0, U+2003, U+3000, U+2028 too.
    {"unicode_spaces", "<div>&nbsp;a&#x2003;<i>&#x3000;b&#x2028;</i></div>",
     "\xC2\xA0"
     "a\xE2\x80\x83\xE3\x80\x80"
     "b\xE2\x80\xA8",
     "\xC2\xA0"
     "a\xE2\x80\x83\xE3\x80\x80"
     "b\xE2\x80\xA8",
     "a b"},
};

class TextModes : public testing::TestWithParam<text_case> {};

TEST_P(TextModes, EachMode) {
  const text_case& c = GetParam();
  document doc = parse(c.html);
  node_id n = doc.first_child(doc.body());
  EXPECT_EQ(doc.text(n, text_mode::raw), c.raw);
  EXPECT_EQ(doc.text(n, text_mode::normalized), c.normalized);
  EXPECT_EQ(doc.text(n, text_mode::strings), c.strings);
}

INSTANTIATE_TEST_SUITE_P(Cases, TextModes, testing::ValuesIn(kTextCases),
                         [](const testing::TestParamInfo<text_case>& info) {
                           return std::string(info.param.name);
                         });

TEST(Dom, TextOfATextNodeIsItsData) {
  document doc = parse("<p> a </p>");
  node_id t = doc.first_child(first(doc, "p"));
  EXPECT_EQ(doc.text(t), " a ");
  EXPECT_EQ(doc.text(t, text_mode::normalized), "a");
}

struct html_case {
  const char* name;
  const char* input;
  const char* css;
  const char* outer;
};

const html_case kOuterCases[] = {
    {"element_with_text", "<p class=a>x</p>", "p", "<p class=\"a\">x</p>"},
    {"escapes_text", "<p>a &lt; b &amp; c &gt; d</p>", "p", "<p>a &lt; b &amp; c &gt; d</p>"},
    {"escapes_attribute", "<p title='say \"hi\" & <bye>'>x</p>", "p",
     "<p title=\"say &quot;hi&quot; &amp; <bye>\">x</p>"},
    {"nbsp", "<p a='&nbsp;'>&nbsp;</p>", "p", "<p a=\"&nbsp;\">&nbsp;</p>"},
    {"void_elements", "<div>a<br>b<img src=i.png><input></div>", "div",
     "<div>a<br>b<img src=\"i.png\"><input></div>"},
    {"raw_text_script", "<div><script>if (a < b && c) {}</script></div>", "div",
     "<div><script>if (a < b && c) {}</script></div>"},
    {"raw_text_style", "<div><style>a > b {}</style></div>", "div",
     "<div><style>a > b {}</style></div>"},
    {"rcdata_is_escaped", "<textarea>a<b>&amp;</textarea>", "textarea",
     "<textarea>a&lt;b&gt;&amp;</textarea>"},
    {"comment", "<div><!-- hi --></div>", "div", "<div><!-- hi --></div>"},
    {"nested", "<ul><li>1<li>2</ul>", "ul", "<ul><li>1</li><li>2</li></ul>"},
    {"svg_names", "<svg viewBox='0 0 1 1'><clipPath/></svg>", "svg",
     "<svg viewBox=\"0 0 1 1\"><clipPath></clipPath></svg>"},
    {"implied_table", "<table><td>x</table>", "table",
     "<table><tbody><tr><td>x</td></tr></tbody></table>"},
};

class OuterHtml : public testing::TestWithParam<html_case> {};

TEST_P(OuterHtml, Serialises) {
  const html_case& c = GetParam();
  document doc = parse(c.input);
  node_id n = first(doc, c.css);
  ASSERT_NE(n, no_node);
  EXPECT_EQ(doc.outer_html(n), c.outer);
}

INSTANTIATE_TEST_SUITE_P(Cases, OuterHtml, testing::ValuesIn(kOuterCases),
                         [](const testing::TestParamInfo<html_case>& info) {
                           return std::string(info.param.name);
                         });

TEST(Dom, WholeDocumentRoundTrip) {
  document doc = parse(
      "<!DOCTYPE html><html lang=en><head><title>t</title></head><body>"
      "<p>x</p></body></html>");
  EXPECT_EQ(doc.outer_html(document::root()),
            "<!DOCTYPE html><html lang=\"en\"><head><title>t</title></head><body><p>x</p>"
            "</body></html>");
  EXPECT_EQ(doc.inner_html(doc.body()), "<p>x</p>");
  // Serialising and parsing again gives the same tree.
  document again = parse(doc.outer_html(document::root()));
  EXPECT_EQ(tree_dump(again), tree_dump(doc));
}

TEST(Dom, BuildingByHand) {
  document doc;
  node_id html = doc.create_element(doc.intern("html"), name_space::html, {});
  doc.append_child(document::root(), html);
  attribute attrs[] = {{"id", "k"}};
  node_id div = doc.create_element(doc.intern("x-card"), name_space::html, attrs);
  doc.append_child(html, div);
  node_id t = doc.create_text("a");
  doc.append_child(div, t);
  node_id other = doc.create_text("zz");  // written after t: append_text must move t's bytes
  doc.append_child(html, other);
  doc.append_text(t, "bc");
  EXPECT_EQ(doc.text(div), "abc");
  EXPECT_EQ(doc.outer_html(html), "<html><x-card id=\"k\">abc</x-card>zz</html>");
  node_id first_kid = doc.create_comment("c");
  doc.insert_before(html, first_kid, div);
  doc.detach(other);
  EXPECT_EQ(doc.outer_html(html), "<html><!--c--><x-card id=\"k\">abc</x-card></html>");
}

}  // namespace
}  // namespace lapwise::html
