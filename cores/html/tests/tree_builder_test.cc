// Tree construction, table-driven, in html5lib's tree-test format. The expected trees are what
// the standard's algorithm gives (checked against html5lib, the reference parser), so a failure
// diff reads like a failing html5lib tree-construction case.
#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "lapwise/html/document.h"
#include "lapwise/html/select.h"

namespace lapwise::html {
namespace {

struct tree_case {
  const char* name;
  const char* input;
  const char* expected;
};

const tree_case kTreeCases[] = {
    {"empty", "",
     R"tree(| <html>
|   <head>
|   <body>
)tree"},
    {"text_only", "Hello",
     R"tree(| <html>
|   <head>
|   <body>
|     "Hello"
)tree"},
    {"p_closes_p", "<p>One<p>Two",
     R"tree(| <html>
|   <head>
|   <body>
|     <p>
|       "One"
|     <p>
|       "Two"
)tree"},
    {"li_closes_li", "<ul><li>a<li>b</ul>",
     R"tree(| <html>
|   <head>
|   <body>
|     <ul>
|       <li>
|         "a"
|       <li>
|         "b"
)tree"},
    {"dt_dd", "<dl><dt>a<dd>b<dt>c</dl>",
     R"tree(| <html>
|   <head>
|   <body>
|     <dl>
|       <dt>
|         "a"
|       <dd>
|         "b"
|       <dt>
|         "c"
)tree"},
    {"select_options", "<select><option>a<option>b<optgroup><option>c</select>",
     R"tree(| <html>
|   <head>
|   <body>
|     <select>
|       <option>
|         "a"
|       <option>
|         "b"
|       <optgroup>
|         <option>
|           "c"
)tree"},
    {"table_implied", "<table><tr><td>a<td>b<tr><td>c</table>",
     R"tree(| <html>
|   <head>
|   <body>
|     <table>
|       <tbody>
|         <tr>
|           <td>
|             "a"
|           <td>
|             "b"
|         <tr>
|           <td>
|             "c"
)tree"},
    {"table_foster_text", "<table>x<tr><td>y</td></tr>z</table>",
     R"tree(| <html>
|   <head>
|   <body>
|     "xz"
|     <table>
|       <tbody>
|         <tr>
|           <td>
|             "y"
)tree"},
    {"table_foster_element", "<table><b>bold</b><tr><td>c</td></tr></table>",
     R"tree(| <html>
|   <head>
|   <body>
|     <b>
|       "bold"
|     <table>
|       <tbody>
|         <tr>
|           <td>
|             "c"
)tree"},
    {"reconstruct_formatting", "<p><b><i>x</p>y",
     R"tree(| <html>
|   <head>
|   <body>
|     <p>
|       <b>
|         <i>
|           "x"
|     <b>
|       <i>
|         "y"
)tree"},
    {"adoption_simple", "<b>1<p>2</b>3</p>",
     R"tree(| <html>
|   <head>
|   <body>
|     <b>
|       "1"
|     <p>
|       <b>
|         "2"
|       "3"
)tree"},
    {"adoption_furthest_block", "<a href=x>1<div>2</a>3</div>",
     R"tree(| <html>
|   <head>
|   <body>
|     <a>
|       href="x"
|       "1"
|     <div>
|       <a>
|         href="x"
|         "2"
|       "3"
)tree"},
    {"noahs_ark", "<p><b><b><b><b>x</p>y",
     R"tree(| <html>
|   <head>
|   <body>
|     <p>
|       <b>
|         <b>
|           <b>
|             <b>
|               "x"
|     <b>
|       <b>
|         <b>
|           "y"
)tree"},
    {"comments_everywhere",
     "<!--c1--><!DOCTYPE "
     "html><!--c2--><html><!--c3--><head></head><!--c4--><body></body><!--c5--></html><!--c6-->",
     R"tree(| <!-- c1 -->
| <!DOCTYPE html>
| <!-- c2 -->
| <html>
|   <!-- c3 -->
|   <head>
|   <!-- c4 -->
|   <body>
|   <!-- c5 -->
| <!-- c6 -->
)tree"},
    {"head_rcdata_rawtext", "<title>a<b>&amp;</title><script>if(a<b)</script><style>p>a{}</style>",
     R"tree(| <html>
|   <head>
|     <title>
|       "a<b>&"
|     <script>
|       "if(a<b)"
|     <style>
|       "p>a{}"
|   <body>
)tree"},
    {"heading_in_heading", "<div><h1>a<h2>b</h1>c</div>",
     R"tree(| <html>
|   <head>
|   <body>
|     <div>
|       <h1>
|         "a"
|       <h2>
|         "b"
|       "c"
)tree"},
    {"table_closes_p_no_quirks", "<!DOCTYPE html><p>a<table><tr><td>b</table>",
     R"tree(| <!DOCTYPE html>
| <html>
|   <head>
|   <body>
|     <p>
|       "a"
|     <table>
|       <tbody>
|         <tr>
|           <td>
|             "b"
)tree"},
    {"table_in_p_quirks", "<p>a<table><tr><td>b</table>",
     R"tree(| <html>
|   <head>
|   <body>
|     <p>
|       "a"
|       <table>
|         <tbody>
|           <tr>
|             <td>
|               "b"
)tree"},
    {"nested_form_ignored", "<form id=a><form id=b>x</form></form>",
     R"tree(| <html>
|   <head>
|   <body>
|     <form>
|       id="a"
|       "x"
)tree"},
    {"pre_leading_newline", "<pre>\n\nx</pre>",
     R"tree(| <html>
|   <head>
|   <body>
|     <pre>
|       "
x"
)tree"},
    {"textarea_leading_newline", "<textarea>\nx</textarea>",
     R"tree(| <html>
|   <head>
|   <body>
|     <textarea>
|       "x"
)tree"},
    {"svg_and_math",
     "<svg viewbox='0 0 1 "
     "1'><circle/><foreignObject><p>x</p></foreignObject></svg><math><mi>y</mi></math>",
     R"tree(| <html>
|   <head>
|   <body>
|     <svg svg>
|       viewBox="0 0 1 1"
|       <svg circle>
|       <svg foreignObject>
|         <p>
|           "x"
|     <math math>
|       <math mi>
|         "y"
)tree"},
    {"svg_breakout", "<svg><g><p>x</svg>",
     R"tree(| <html>
|   <head>
|   <body>
|     <svg svg>
|       <svg g>
|     <p>
|       "x"
)tree"},
    {"frameset", "<frameset><frame></frameset>",
     R"tree(| <html>
|   <head>
|   <frameset>
|     <frame>
)tree"},
    {"attribute_merge", "<html lang=en><body class=a><html foo=bar lang=de><body id=b>",
     R"tree(| <html>
|   foo="bar"
|   lang="en"
|   <head>
|   <body>
|     class="a"
|     id="b"
)tree"},
    {"stray_end_p", "</p>",
     R"tree(| <html>
|   <head>
|   <body>
)tree"},
    {"end_br", "<br></br>",
     R"tree(| <html>
|   <head>
|   <body>
|     <br>
|     <br>
)tree"},
    {"image_is_img", "<image src=a>",
     R"tree(| <html>
|   <head>
|   <body>
|     <img>
|       src="a"
)tree"},
    {"nested_a", "<a>1<a>2",
     R"tree(| <html>
|   <head>
|   <body>
|     <a>
|       "1"
|     <a>
|       "2"
)tree"},
    {"nested_nobr", "<nobr>a<nobr>b",
     R"tree(| <html>
|   <head>
|   <body>
|     <nobr>
|       "a"
|     <nobr>
|       "b"
)tree"},
    {"nested_button", "<button>a<button>b",
     R"tree(| <html>
|   <head>
|   <body>
|     <button>
|       "a"
|     <button>
|       "b"
)tree"},
    {"head_noscript", "<head><noscript><link rel=x></noscript></head>",
     R"tree(| <html>
|   <head>
|     <noscript>
|       <link>
|         rel="x"
|   <body>
)tree"},
    {"caption_closed_by_td", "<table><caption>c<td>d</table>",
     R"tree(| <html>
|   <head>
|   <body>
|     <table>
|       <caption>
|         "c"
|       <tbody>
|         <tr>
|           <td>
|             "d"
)tree"},
    {"colgroup", "<table><colgroup><col><col></colgroup><col></table>",
     R"tree(| <html>
|   <head>
|   <body>
|     <table>
|       <colgroup>
|         <col>
|         <col>
|       <colgroup>
|         <col>
)tree"},
    {"nested_lists", "<li>a<ul><li>b</ul><li>c",
     R"tree(| <html>
|   <head>
|   <body>
|     <li>
|       "a"
|       <ul>
|         <li>
|           "b"
|     <li>
|       "c"
)tree"},
    {"option_outside_select", "<option>a<option>b",
     R"tree(| <html>
|   <head>
|   <body>
|     <option>
|       "a"
|     <option>
|       "b"
)tree"},
    {"ruby", "<ruby>a<rt>b<rp>c</ruby>",
     R"tree(| <html>
|   <head>
|   <body>
|     <ruby>
|       "a"
|       <rt>
|         "b"
|       <rp>
|         "c"
)tree"},
    {"plaintext", "x<plaintext><b>y</b>",
     R"tree(| <html>
|   <head>
|   <body>
|     "x"
|     <plaintext>
|       "<b>y</b>"
)tree"},
    {"table_hidden_input", "<table><input type=hidden><input></table>",
     R"tree(| <html>
|   <head>
|   <body>
|     <input>
|     <table>
|       <input>
|         type="hidden"
)tree"},
    {"misnested_span", "<div><span>a</div>b</span>",
     R"tree(| <html>
|   <head>
|   <body>
|     <div>
|       <span>
|         "a"
|     "b"
)tree"},
    {"doctype_public",
     "<!DOCTYPE html PUBLIC \"-//W3C//DTD HTML 4.01//EN\" "
     "\"http://www.w3.org/TR/html4/strict.dtd\"><p>x",
     R"tree(| <!DOCTYPE html "-//W3C//DTD HTML 4.01//EN" "http://www.w3.org/TR/html4/strict.dtd">
| <html>
|   <head>
|   <body>
|     <p>
|       "x"
)tree"},
    {"text_after_body", "<body>a</body>b</html>c<!--d-->",
     R"tree(| <html>
|   <head>
|   <body>
|     "abc"
|     <!-- d -->
)tree"},
    {"head_after_body_content", "<p>a</p><title>t</title><meta charset=utf-8>",
     R"tree(| <html>
|   <head>
|   <body>
|     <p>
|       "a"
|     <title>
|       "t"
|     <meta>
|       charset="utf-8"
)tree"},
    {"whitespace_before_head",
     "  <html>  <head> <title>t</title> </head>  <body> x </body> </html> ",
     R"tree(| <html>
|   <head>
|     " "
|     <title>
|       "t"
|     " "
|   "  "
|   <body>
|     " x   "
)tree"},
    {"adoption_deep", "<div><a><b><div><div><div><div>x</a>y",
     R"tree(| <html>
|   <head>
|   <body>
|     <div>
|       <a>
|         <b>
|       <b>
|         <div>
|           <a>
|           <div>
|             <a>
|             <div>
|               <a>
|               <div>
|                 <a>
|                   "x"
|                 "y"
)tree"},
    {"table_in_table", "<table><tr><td><table><tr><td>a</table>b</table>",
     R"tree(| <html>
|   <head>
|   <body>
|     <table>
|       <tbody>
|         <tr>
|           <td>
|             <table>
|               <tbody>
|                 <tr>
|                   <td>
|                     "a"
|             "b"
)tree"},
    {"select_in_table", "<table><tr><td><select><option>a<td>b</table>",
     R"tree(| <html>
|   <head>
|   <body>
|     <table>
|       <tbody>
|         <tr>
|           <td>
|             <select>
|               <option>
|                 "a"
|           <td>
|             "b"
)tree"},
    {"entities_in_text", "<p>&lt;a&gt; &copy &#x41; &notit;</p>",
     R"tree(| <html>
|   <head>
|   <body>
|     <p>
|       "<a> © A ¬it;"
)tree"},
    {"unknown_elements", "<custom-el a=1><x-y>t</x-y></custom-el>",
     R"tree(| <html>
|   <head>
|   <body>
|     <custom-el>
|       a="1"
|       <x-y>
|         "t"
)tree"},
    {"void_elements", "<p>a<br>b<img src=i><hr>c",
     R"tree(| <html>
|   <head>
|   <body>
|     <p>
|       "a"
|       <br>
|       "b"
|       <img>
|         src="i"
|     <hr>
|     "c"
)tree"},
    {"dd_without_dl", "<dd>a<dt>b",
     R"tree(| <html>
|   <head>
|   <body>
|     <dd>
|       "a"
|     <dt>
|       "b"
)tree"},
    {"formatting_across_table", "<b><table><tr><td>a</b>b</td></tr></table>c",
     R"tree(| <html>
|   <head>
|   <body>
|     <b>
|       <table>
|         <tbody>
|           <tr>
|             <td>
|               "ab"
|       "c"
)tree"},
    {"frameset_ok_lost", "<p>x</p><frameset><frame>",
     R"tree(| <html>
|   <head>
|   <body>
|     <p>
|       "x"
)tree"},
    {"mathml_annotation_xml",
     "<math><annotation-xml encoding='text/html'><div>a</div></annotation-xml></math>",
     R"tree(| <html>
|   <head>
|   <body>
|     <math math>
|       <math annotation-xml>
|         encoding="text/html"
|         <div>
|           "a"
)tree"},
    {"cdata_in_svg", "<svg><![CDATA[a<b]]></svg>",
     R"tree(| <html>
|   <head>
|   <body>
|     <svg svg>
|       "a<b"
)tree"},
    {"end_tag_in_foreign", "<svg><g><rect></g>x</svg>y",
     R"tree(| <html>
|   <head>
|   <body>
|     <svg svg>
|       <svg g>
|         <svg rect>
|       "x"
|     "y"
)tree"},
};

// Where html5lib 1.1 predates the standard: <template> (it parses it as an unknown element) and
// end tags leaving foreign content. These expected trees follow the standard, as
// html5lib-tests' template.dat and svg cases do.
const tree_case kStandardCases[] = {
    {"template_in_head_with_row", "<template><tr><td>a</td></tr></template>",
     R"tree(| <html>
|   <head>
|     <template>
|       content
|         <tr>
|           <td>
|             "a"
|   <body>
)tree"},
    {"template_in_body", "<body><template><p>x</template><p>y",
     R"tree(| <html>
|   <head>
|   <body>
|     <template>
|       content
|         <p>
|           "x"
|     <p>
|       "y"
)tree"},
    {"template_in_table", "<table><template><col></template></table>",
     R"tree(| <html>
|   <head>
|   <body>
|     <table>
|       <template>
|         content
|           <col>
)tree"},
    // html5lib 1.1 also predates </p> and </br> breaking out of foreign content.
    {"end_p_leaves_svg", "<svg><g></p>x",
     R"tree(| <html>
|   <head>
|   <body>
|     <svg svg>
|       <svg g>
|     <p>
|     "x"
)tree"},
    {"template_unclosed_at_eof", "<template><div>a",
     R"tree(| <html>
|   <head>
|     <template>
|       content
|         <div>
|           "a"
|   <body>
)tree"},
};

class TreeBuilder : public testing::TestWithParam<tree_case> {};

std::string case_name(const testing::TestParamInfo<tree_case>& info) { return info.param.name; }

TEST_P(TreeBuilder, MatchesHtml5libTree) {
  const tree_case& c = GetParam();
  document doc = parse(c.input);
  EXPECT_EQ(tree_dump(doc), c.expected) << "input: " << c.input;
  EXPECT_FALSE(doc.truncated());
}

INSTANTIATE_TEST_SUITE_P(Standard, TreeBuilder, testing::ValuesIn(kStandardCases), case_name);
INSTANTIATE_TEST_SUITE_P(Cases, TreeBuilder, testing::ValuesIn(kTreeCases), case_name);

// U+0000 counts as text before the body (it implies html, head and body) and is dropped once
// inserted in HTML content, also at an HTML integration point and in table text.
TEST(TreeBuilderModes, NulCharacters) {
  using namespace std::string_view_literals;
  EXPECT_EQ(tree_dump(parse("\0</head></hr> <p>x"sv)),
            "| <html>\n|   <head>\n|   <body>\n|     \" \"\n|     <p>\n|       \"x\"\n");
  EXPECT_EQ(tree_dump(parse("<svg><desc>a\0b</desc></svg>"sv)),
            "| <html>\n|   <head>\n|   <body>\n|     <svg svg>\n|       <svg desc>\n"
            "|         \"ab\"\n");
  EXPECT_EQ(tree_dump(parse("<table>a\0<tr><td>\0x</td></tr></table>"sv)),
            "| <html>\n|   <head>\n|   <body>\n|     \"a\"\n|     <table>\n|       <tbody>\n"
            "|         <tr>\n|           <td>\n|             \"x\"\n");
  // In foreign content proper it becomes U+FFFD.
  EXPECT_NE(tree_dump(parse("<svg>a\0b</svg>"sv))
                .find("a\xEF\xBF\xBD"
                      "b"),
            std::string::npos);
}

TEST(TreeBuilderModes, QuirksFromDoctype) {
  EXPECT_EQ(parse("<!DOCTYPE html><p>").quirks(), quirks_mode::no_quirks);
  EXPECT_EQ(parse("<p>").quirks(), quirks_mode::quirks);
  EXPECT_EQ(parse("<!DOCTYPE html PUBLIC \"-//W3C//DTD HTML 4.01 Transitional//EN\">").quirks(),
            quirks_mode::quirks);
  EXPECT_EQ(parse("<!DOCTYPE html PUBLIC \"-//W3C//DTD HTML 4.01 Transitional//EN\" "
                  "\"http://www.w3.org/TR/html4/loose.dtd\">")
                .quirks(),
            quirks_mode::limited_quirks);
  EXPECT_EQ(parse("<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Strict//EN\" "
                  "\"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd\">")
                .quirks(),
            quirks_mode::no_quirks);
}

TEST(TreeBuilderErrors, CountedNeverFatal) {
  EXPECT_EQ(parse("<!DOCTYPE html><html><head></head><body><p>x</p></body></html>").error_count(),
            0u);
  EXPECT_GT(parse("<b><p></b></i>").error_count(), 0u);
}

TEST(TreeBuilderLimits, DepthCapKeepsElementsAsSiblings) {
  parse_options opt;
  opt.max_depth = 8;
  std::string deep;
  for (int i = 0; i < 20; ++i) deep += "<div>";
  document doc = parse(deep, opt);
  // html, body and 6 divs open; the other 14 divs are closed children of the 6th.
  EXPECT_EQ(doc.node_count(), 1u + 3u + 20u);
  std::size_t max_depth = 0;
  for (node_id n = 0; n != no_node; n = doc.next_in_order(n, 0)) {
    std::size_t d = 0;
    for (node_id p = doc.parent(n); p != no_node; p = doc.parent(p)) ++d;
    max_depth = std::max(max_depth, d);
  }
  EXPECT_LE(max_depth, 9u);
  EXPECT_GT(doc.error_count(), 0u);
}

TEST(TreeBuilderLimits, DepthCapWithModeChangingElements) {
  // At the cap a <table>, <tr>, <td>, <caption>, <template> or <select> is made but not opened;
  // the insertion mode must not switch to one whose element is missing.
  parse_options opt;
  opt.max_depth = 6;
  std::string deep;
  for (int i = 0; i < 10; ++i) deep += "<div>";
  for (const char* tail : {"<table><tr><td>x</td></tr></table>y", "<table><caption>c</table>z",
                           "<template><td>q</template>w", "<select><option>o</select>v",
                           "<table><tbody><tr><td>a<td>b</tr></tbody></table><p>p"}) {
    document doc = parse(deep + tail, opt);
    EXPECT_NE(doc.body(), no_node) << tail;
    EXPECT_FALSE(doc.text(doc.body()).empty()) << tail;
  }
}

TEST(TreeBuilderLimits, InterruptedGrowthStaysLinear) {
  // Foster-parented text that keeps growing between table cells, and attributes that keep
  // arriving on <html> between other elements: each byte and record is copied O(1) times.
  std::string foster = "<table>";
  for (int i = 0; i < 20000; ++i) foster += "a<td>b</td>";
  document doc = parse(foster);
  EXPECT_EQ(doc.text(doc.first_child(doc.body())), std::string(20000, 'a'));
  std::string merge;
  for (int i = 0; i < 2000; ++i) merge += "<html a" + std::to_string(i) + "=v><p>";
  document merged = parse(merge);
  EXPECT_EQ(merged.attr_count(merged.document_element()), 1024u);  // the merge cap
  EXPECT_EQ(merged.attr(merged.document_element(), "a1023"), std::string_view("v"));
}

TEST(TreeBuilderLimits, NodeCapTruncates) {
  parse_options opt;
  opt.max_nodes = 50;
  std::string many;
  for (int i = 0; i < 1000; ++i) many += "<p>x";
  document doc = parse(many, opt);
  EXPECT_TRUE(doc.truncated());
  EXPECT_LE(doc.node_count(), 60u);
}

TEST(TreeBuilderLimits, DeepInputDoesNotRecurse) {
  // 100,000 nested elements with the cap lifted: a recursive reader would need a stack frame
  // per level; text, serialisation and selectors walk iteratively.
  parse_options opt;
  opt.max_depth = 1'000'000;
  std::string deep;
  for (int i = 0; i < 100000; ++i) deep += "<span>";
  deep += "x";
  document doc = parse(deep, opt);
  EXPECT_EQ(doc.text(doc.body()), "x");
  EXPECT_EQ(doc.text(doc.body(), text_mode::strings), "x");
  EXPECT_EQ(doc.outer_html(doc.body()).size(), 100000u * 13u + 1u + 13u);
  EXPECT_EQ(selector("span > span:empty").select(doc).size(), 0u);
  EXPECT_EQ(selector("span > span").select(doc).size(), 99999u);
  // Descendant and sibling combinators remember answers per element: linear, not
  // depth-squared or depth-to-the-compounds, over this tree.
  EXPECT_EQ(selector("body span span").select(doc).size(), 99999u);
  EXPECT_EQ(selector("x span span span span").select(doc).size(), 0u);
  EXPECT_EQ(selector("span:not(x span span) span").select(doc).size(), 99999u);
}

TEST(TreeBuilderLimits, FormattingFloodStaysBounded) {
  // Distinct formatting elements defeat the Noah's Ark clause; the list cap keeps each
  // reconstruction bounded.
  std::string s;
  for (int round = 0; round < 100; ++round) {
    s += "<p>";
    for (int i = 0; i < 300; ++i) s += "<b id=" + std::to_string(i) + ">";
    s += "</p>x";
  }
  document doc = parse(s);
  EXPECT_LT(doc.node_count(), 100u * 300u + 100u * 300u);
  EXPECT_FALSE(doc.truncated());
}

}  // namespace
}  // namespace lapwise::html
