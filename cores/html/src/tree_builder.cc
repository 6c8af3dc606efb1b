// The WHATWG tree construction stage: tokens from the tokenizer in, arena DOM nodes out. The
// mode functions follow the standard's sections in order, so each rule can be checked against
// the text; comments name the rule where the code alone would not say why.
#include <algorithm>
#include <array>
#include <cstring>
#include <initializer_list>
#include <iterator>
#include <string>
#include <vector>

#include "lapwise/html/document.h"
#include "lapwise/html/tokenizer.h"

namespace lapwise::html {

namespace {

enum class mode : std::uint8_t {
  initial,
  before_html,
  before_head,
  in_head,
  in_head_noscript,
  after_head,
  in_body,
  text,
  in_table,
  in_table_text,
  in_caption,
  in_column_group,
  in_table_body,
  in_row,
  in_cell,
  in_select,
  in_select_in_table,
  in_template,
  after_body,
  in_frameset,
  after_frameset,
  after_after_body,
  after_after_frameset,
};

bool is_ws(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'; }

std::size_t ws_prefix(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size() && is_ws(s[i])) ++i;
  return i;
}

bool all_ws(std::string_view s) { return ws_prefix(s) == s.size(); }

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x + 32);
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y + 32);
    if (x != y) return false;
  }
  return true;
}

bool istarts_with(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

// SVG names the tokenizer lower-cased and the standard wants back in camelCase.
constexpr std::pair<std::string_view, std::string_view> kSvgTagFixes[] = {
    {"altglyph", "altGlyph"},
    {"altglyphdef", "altGlyphDef"},
    {"altglyphitem", "altGlyphItem"},
    {"animatecolor", "animateColor"},
    {"animatemotion", "animateMotion"},
    {"animatetransform", "animateTransform"},
    {"clippath", "clipPath"},
    {"feblend", "feBlend"},
    {"fecolormatrix", "feColorMatrix"},
    {"fecomponenttransfer", "feComponentTransfer"},
    {"fecomposite", "feComposite"},
    {"feconvolvematrix", "feConvolveMatrix"},
    {"fediffuselighting", "feDiffuseLighting"},
    {"fedisplacementmap", "feDisplacementMap"},
    {"fedistantlight", "feDistantLight"},
    {"fedropshadow", "feDropShadow"},
    {"feflood", "feFlood"},
    {"fefunca", "feFuncA"},
    {"fefuncb", "feFuncB"},
    {"fefuncg", "feFuncG"},
    {"fefuncr", "feFuncR"},
    {"fegaussianblur", "feGaussianBlur"},
    {"feimage", "feImage"},
    {"femerge", "feMerge"},
    {"femergenode", "feMergeNode"},
    {"femorphology", "feMorphology"},
    {"feoffset", "feOffset"},
    {"fepointlight", "fePointLight"},
    {"fespecularlighting", "feSpecularLighting"},
    {"fespotlight", "feSpotLight"},
    {"fetile", "feTile"},
    {"feturbulence", "feTurbulence"},
    {"foreignobject", "foreignObject"},
    {"glyphref", "glyphRef"},
    {"lineargradient", "linearGradient"},
    {"radialgradient", "radialGradient"},
    {"textpath", "textPath"},
};

constexpr std::pair<std::string_view, std::string_view> kSvgAttrFixes[] = {
    {"attributename", "attributeName"},
    {"attributetype", "attributeType"},
    {"basefrequency", "baseFrequency"},
    {"baseprofile", "baseProfile"},
    {"calcmode", "calcMode"},
    {"clippathunits", "clipPathUnits"},
    {"diffuseconstant", "diffuseConstant"},
    {"edgemode", "edgeMode"},
    {"filterunits", "filterUnits"},
    {"glyphref", "glyphRef"},
    {"gradienttransform", "gradientTransform"},
    {"gradientunits", "gradientUnits"},
    {"kernelmatrix", "kernelMatrix"},
    {"kernelunitlength", "kernelUnitLength"},
    {"keypoints", "keyPoints"},
    {"keysplines", "keySplines"},
    {"keytimes", "keyTimes"},
    {"lengthadjust", "lengthAdjust"},
    {"limitingconeangle", "limitingConeAngle"},
    {"markerheight", "markerHeight"},
    {"markerunits", "markerUnits"},
    {"markerwidth", "markerWidth"},
    {"maskcontentunits", "maskContentUnits"},
    {"maskunits", "maskUnits"},
    {"numoctaves", "numOctaves"},
    {"pathlength", "pathLength"},
    {"patterncontentunits", "patternContentUnits"},
    {"patterntransform", "patternTransform"},
    {"patternunits", "patternUnits"},
    {"pointsatx", "pointsAtX"},
    {"pointsaty", "pointsAtY"},
    {"pointsatz", "pointsAtZ"},
    {"preservealpha", "preserveAlpha"},
    {"preserveaspectratio", "preserveAspectRatio"},
    {"primitiveunits", "primitiveUnits"},
    {"refx", "refX"},
    {"refy", "refY"},
    {"repeatcount", "repeatCount"},
    {"repeatdur", "repeatDur"},
    {"requiredextensions", "requiredExtensions"},
    {"requiredfeatures", "requiredFeatures"},
    {"specularconstant", "specularConstant"},
    {"specularexponent", "specularExponent"},
    {"spreadmethod", "spreadMethod"},
    {"startoffset", "startOffset"},
    {"stddeviation", "stdDeviation"},
    {"stitchtiles", "stitchTiles"},
    {"surfacescale", "surfaceScale"},
    {"systemlanguage", "systemLanguage"},
    {"tablevalues", "tableValues"},
    {"targetx", "targetX"},
    {"targety", "targetY"},
    {"textlength", "textLength"},
    {"viewbox", "viewBox"},
    {"viewtarget", "viewTarget"},
    {"xchannelselector", "xChannelSelector"},
    {"ychannelselector", "yChannelSelector"},
    {"zoomandpan", "zoomAndPan"},
};

std::string_view fix_name(std::string_view name,
                          std::span<const std::pair<std::string_view, std::string_view>> table) {
  for (const auto& [from, to] : table)
    if (from == name) return to;
  return name;
}

constexpr std::string_view kQuirkyPublicPrefixes[] = {
    "+//Silmaril//dtd html Pro v0r11 19970101//",
    "-//AS//DTD HTML 3.0 asWedit + extensions//",
    "-//AdvaSoft Ltd//DTD HTML 3.0 asWedit + extensions//",
    "-//IETF//DTD HTML 2.0 Level 1//",
    "-//IETF//DTD HTML 2.0 Level 2//",
    "-//IETF//DTD HTML 2.0 Strict Level 1//",
    "-//IETF//DTD HTML 2.0 Strict Level 2//",
    "-//IETF//DTD HTML 2.0 Strict//",
    "-//IETF//DTD HTML 2.0//",
    "-//IETF//DTD HTML 2.1E//",
    "-//IETF//DTD HTML 3.0//",
    "-//IETF//DTD HTML 3.2 Final//",
    "-//IETF//DTD HTML 3.2//",
    "-//IETF//DTD HTML 3//",
    "-//IETF//DTD HTML Level 0//",
    "-//IETF//DTD HTML Level 1//",
    "-//IETF//DTD HTML Level 2//",
    "-//IETF//DTD HTML Level 3//",
    "-//IETF//DTD HTML Strict Level 0//",
    "-//IETF//DTD HTML Strict Level 1//",
    "-//IETF//DTD HTML Strict Level 2//",
    "-//IETF//DTD HTML Strict Level 3//",
    "-//IETF//DTD HTML Strict//",
    "-//IETF//DTD HTML//",
    "-//Metrius//DTD Metrius Presentational//",
    "-//Microsoft//DTD Internet Explorer 2.0 HTML Strict//",
    "-//Microsoft//DTD Internet Explorer 2.0 HTML//",
    "-//Microsoft//DTD Internet Explorer 2.0 Tables//",
    "-//Microsoft//DTD Internet Explorer 3.0 HTML Strict//",
    "-//Microsoft//DTD Internet Explorer 3.0 HTML//",
    "-//Microsoft//DTD Internet Explorer 3.0 Tables//",
    "-//Netscape Comm. Corp.//DTD HTML//",
    "-//Netscape Comm. Corp.//DTD Strict HTML//",
    "-//O'Reilly and Associates//DTD HTML 2.0//",
    "-//O'Reilly and Associates//DTD HTML Extended 1.0//",
    "-//O'Reilly and Associates//DTD HTML Extended Relaxed 1.0//",
    "-//SQ//DTD HTML 2.0 HoTMetaL + extensions//",
    "-//SoftQuad Software//DTD HoTMetaL PRO 6.0::19990601::extensions to HTML 4.0//",
    "-//SoftQuad//DTD HoTMetaL PRO 4.0::19971010::extensions to HTML 4.0//",
    "-//Spyglass//DTD HTML 2.0 Extended//",
    "-//Sun Microsystems Corp.//DTD HotJava HTML//",
    "-//Sun Microsystems Corp.//DTD HotJava Strict HTML//",
    "-//W3C//DTD HTML 3 1995-03-24//",
    "-//W3C//DTD HTML 3.2 Draft//",
    "-//W3C//DTD HTML 3.2 Final//",
    "-//W3C//DTD HTML 3.2//",
    "-//W3C//DTD HTML 3.2S Draft//",
    "-//W3C//DTD HTML 4.0 Frameset//",
    "-//W3C//DTD HTML 4.0 Transitional//",
    "-//W3C//DTD HTML Experimental 19960712//",
    "-//W3C//DTD HTML Experimental 970421//",
    "-//W3C//DTD W3 HTML//",
    "-//W3O//DTD W3 HTML 3.0//",
    "-//WebTechs//DTD Mozilla HTML 2.0//",
    "-//WebTechs//DTD Mozilla HTML//",
};

quirks_mode doctype_quirks(const token& t) {
  if (t.force_quirks || !t.has_name || t.name != "html") return quirks_mode::quirks;
  std::string_view pub = t.has_public_id ? t.public_id : std::string_view{};
  std::string_view sys = t.system_id;
  if (t.has_public_id) {
    if (iequals(pub, "-//W3O//DTD W3 HTML Strict 3.0//EN//") ||
        iequals(pub, "-/W3C/DTD HTML 4.0 Transitional/EN") || iequals(pub, "HTML"))
      return quirks_mode::quirks;
    for (std::string_view p : kQuirkyPublicPrefixes)
      if (istarts_with(pub, p)) return quirks_mode::quirks;
  }
  if (t.has_system_id && iequals(sys, "http://www.ibm.com/data/dtd/v11/ibmxhtml1-transitional.dtd"))
    return quirks_mode::quirks;
  bool html401 = t.has_public_id && (istarts_with(pub, "-//W3C//DTD HTML 4.01 Frameset//") ||
                                     istarts_with(pub, "-//W3C//DTD HTML 4.01 Transitional//"));
  if (html401 && !t.has_system_id) return quirks_mode::quirks;
  if (t.has_public_id && (istarts_with(pub, "-//W3C//DTD XHTML 1.0 Frameset//") ||
                          istarts_with(pub, "-//W3C//DTD XHTML 1.0 Transitional//")))
    return quirks_mode::limited_quirks;
  if (html401) return quirks_mode::limited_quirks;
  return quirks_mode::no_quirks;
}

template <typename E, typename... T>
bool one_of(E t, T... ts) {
  return ((t == ts) || ...);
}

bool is_heading(tag t) {
  using enum tag;
  return one_of(t, h1, h2, h3, h4, h5, h6);
}

bool is_special_html(tag t) {
  switch (t) {
    using enum tag;
    case address:
    case applet:
    case area:
    case article:
    case aside:
    case base:
    case basefont:
    case bgsound:
    case blockquote:
    case body:
    case br:
    case button:
    case caption:
    case center:
    case col:
    case colgroup:
    case dd:
    case details:
    case dir:
    case div:
    case dl:
    case dt:
    case embed:
    case fieldset:
    case figcaption:
    case figure:
    case footer:
    case form:
    case frame:
    case frameset:
    case h1:
    case h2:
    case h3:
    case h4:
    case h5:
    case h6:
    case head:
    case header:
    case hgroup:
    case hr:
    case html:
    case iframe:
    case img:
    case input:
    case keygen:
    case li:
    case link:
    case listing:
    case main:
    case marquee:
    case menu:
    case meta:
    case nav:
    case noembed:
    case noframes:
    case noscript:
    case object:
    case ol:
    case p:
    case param:
    case plaintext:
    case pre:
    case script:
    case search:
    case section:
    case select:
    case source:
    case style:
    case summary:
    case table:
    case tbody:
    case td:
    case template_:
    case textarea:
    case tfoot:
    case th:
    case thead:
    case title:
    case tr:
    case track:
    case ul:
    case wbr:
    case xmp:
      return true;
    default:
      return false;
  }
}

// A set of known tags as a bit mask: membership is one shift and one AND instead of a chain of
// compares (the scope checks test it for every element they walk past).
class tag_set {
 public:
  constexpr tag_set(std::initializer_list<tag> tags) {
    for (tag t : tags) {
      auto i = static_cast<std::size_t>(t);
      w_[i / 64] |= std::uint64_t{1} << (i % 64);
    }
  }
  constexpr bool has(tag t) const {
    auto i = static_cast<std::size_t>(t);
    return (w_[i / 64] >> (i % 64)) & 1;
  }

 private:
  std::array<std::uint64_t, (tag_count + 63) / 64> w_{};
};

// The HTML elements that bound every scope but the table and select ones.
constexpr tag_set kScopeBoundaries = {tag::applet,  tag::caption, tag::html,
                                      tag::table,   tag::td,      tag::th,
                                      tag::marquee, tag::object,  tag::template_};

enum class scope { normal, list_item, button, table, select };

class builder {
 public:
  builder(std::string_view input, const parse_options& options) : tok_(input), opt_(options) {
    doc_.reserve(input.size() / 16 + 16, input.size() + 64);
  }

  document run() {
    token t;
    while (tok_.next(t)) {
      if (doc_.node_count() >= opt_.max_nodes) {
        doc_.set_truncated();
        break;
      }
      if (t.kind == token_kind::characters && skip_lf_) {
        skip_lf_ = false;
        if (!t.data.empty() && t.data[0] == '\n') t.data.remove_prefix(1);
        if (t.data.empty()) continue;
      } else if (t.kind != token_kind::characters) {
        skip_lf_ = false;
      }
      if (t.kind == token_kind::start_tag || t.kind == token_kind::end_tag) {
        token_tag_name_ = t.name;
        token_tag_ = lookup_tag(t.name);
      }
      dispatch(t);
      // The tokenizer is told only of changes: the call crosses into its implementation.
      bool cdata = !open_.empty() && doc_.ns(adjusted_current()) != name_space::html;
      if (cdata != cdata_allowed_) {
        cdata_allowed_ = cdata;
        tok_.set_cdata_allowed(cdata);
      }
      if (t.kind == token_kind::eof || stopped_) break;
    }
    for (std::size_t i = 0; i < tok_.error_count(); ++i) doc_.add_error();
    return std::move(doc_);
  }

 private:
  // ---- stack, scope and lists -----------------------------------------------------------------
  node_id current() const { return open_.empty() ? no_node : open_.back(); }
  node_id adjusted_current() const { return current(); }  // no fragment parsing: no context
  bool cur_is(tag t) const { return !open_.empty() && doc_.is_html(open_.back(), t); }
  tag cur_tag() const {
    if (open_.empty() || doc_.ns(open_.back()) != name_space::html) return tag::none;
    return doc_.tag_of(open_.back());
  }

  bool is_special(node_id n) const {
    switch (doc_.ns(n)) {
      case name_space::html:
        return is_special_html(doc_.tag_of(n));
      case name_space::mathml: {
        tag t = doc_.tag_of(n);
        using enum tag;
        return one_of(t, mi, mo, mn, ms, mtext, annotation_xml);
      }
      case name_space::svg: {
        tag t = doc_.tag_of(n);
        return one_of(t, tag::foreign_object, tag::desc, tag::title);
      }
    }
    return false;
  }

  bool is_scope_boundary(node_id n, scope sc) const {
    name_space ns = doc_.ns(n);
    tag t = doc_.tag_of(n);
    if (sc == scope::select)
      return !(ns == name_space::html && one_of(t, tag::optgroup, tag::option));
    if (ns == name_space::html) {
      using enum tag;
      if (sc == scope::table) return one_of(t, html, table, template_);
      if (kScopeBoundaries.has(t)) return true;
      if (sc == scope::list_item && one_of(t, ol, ul)) return true;
      if (sc == scope::button && t == button) return true;
      return false;
    }
    if (sc == scope::table) return false;
    if (ns == name_space::mathml) {
      using enum tag;
      return one_of(t, mi, mo, mn, ms, mtext, annotation_xml);
    }
    return one_of(t, tag::foreign_object, tag::desc, tag::title);
  }

  bool in_scope(tag target, scope sc = scope::normal) const {
    for (std::size_t i = open_.size(); i-- > 0;) {
      node_id n = open_[i];
      if (doc_.is_html(n, target)) return true;
      if (is_scope_boundary(n, sc)) return false;
    }
    return false;
  }

  bool node_in_scope(node_id target) const {
    for (std::size_t i = open_.size(); i-- > 0;) {
      if (open_[i] == target) return true;
      if (is_scope_boundary(open_[i], scope::normal)) return false;
    }
    return false;
  }

  bool heading_in_scope() const {
    for (std::size_t i = open_.size(); i-- > 0;) {
      node_id n = open_[i];
      if (doc_.ns(n) == name_space::html && is_heading(doc_.tag_of(n))) return true;
      if (is_scope_boundary(n, scope::normal)) return false;
    }
    return false;
  }

  // From the top: the elements asked about (the last formatting element, the one an end tag
  // names) are usually near it, and this runs for every character token inside formatting.
  bool on_stack(node_id n) const {
    return std::find(open_.rbegin(), open_.rend(), n) != open_.rend();
  }
  // Where n is on the stack of open elements (end() when it is not), searched from the top for
  // the same reason. An element is pushed once, when it is made, so there is one place at most.
  std::vector<node_id>::iterator find_open(node_id n) {
    auto it = std::find(open_.rbegin(), open_.rend(), n);
    return it == open_.rend() ? open_.end() : std::prev(it.base());
  }
  bool template_on_stack() const {
    for (node_id n : open_)
      if (doc_.is_html(n, tag::template_)) return true;
    return false;
  }

  // No rule of the standard pops the <html> element, so the pops below never take the last
  // entry: when the depth cap has left an element unopened that a rule expects on the stack,
  // popping stops at <html> instead of emptying the stack.
  void pop() {
    if (open_.size() > 1) open_.pop_back();
  }
  template <typename Match>
  void pop_through(Match match) {  // pops up to and including the first element that matches
    while (open_.size() > 1) {
      node_id top = open_.back();
      open_.pop_back();
      if (match(top)) return;
    }
  }
  void pop_until(tag t) {
    pop_through([&](node_id n) { return doc_.is_html(n, t); });
  }
  void pop_until_node(node_id n) {
    pop_through([&](node_id top) { return top == n; });
  }

  void generate_implied_end_tags(tag except = tag::none) {
    for (;;) {
      tag t = cur_tag();
      using enum tag;
      if (t == except || !one_of(t, dd, dt, li, optgroup, option, p, rb, rp, rt, rtc)) return;
      pop();
    }
  }
  void generate_all_implied_end_tags() {
    for (;;) {
      tag t = cur_tag();
      using enum tag;
      if (!one_of(t, caption, colgroup, dd, dt, li, optgroup, option, p, rb, rp, rt, rtc, tbody, td,
                  tfoot, th, thead, tr))
        return;
      pop();
    }
  }

  void close_p() {
    generate_implied_end_tags(tag::p);
    if (!cur_is(tag::p)) doc_.add_error();
    pop_until(tag::p);
  }
  void close_p_in_button_scope() {
    if (in_scope(tag::p, scope::button)) close_p();
  }

  // Same element name, namespace and attributes: the Noah's Ark comparison.
  bool same_element(node_id a, node_id b) const {
    if (doc_.at(a).name != doc_.at(b).name || doc_.ns(a) != doc_.ns(b)) return false;
    std::size_t n = doc_.attr_count(a);
    if (n != doc_.attr_count(b)) return false;
    for (std::size_t i = 0; i < n; ++i) {
      auto v = doc_.attr(b, doc_.attr_name(a, i));
      if (!v || *v != doc_.attr_value(a, i)) return false;
    }
    return true;
  }

  void push_formatting(node_id n) {
    std::size_t same = 0, first_same = 0, since_marker = 0;
    for (std::size_t i = fmt_.size(); i-- > 0;) {
      if (fmt_[i] == no_node) break;
      ++since_marker;
      if (same_element(fmt_[i], n)) {
        ++same;
        first_same = i;
      }
    }
    if (same >= 3) {
      fmt_.erase(fmt_.begin() + static_cast<std::ptrdiff_t>(first_same));
      --since_marker;
    }
    if (since_marker >= opt_.max_formatting) {
      doc_.add_error();
      return;
    }
    fmt_.push_back(n);
  }
  void push_marker() { fmt_.push_back(no_node); }
  void clear_to_marker() {
    while (!fmt_.empty()) {
      node_id n = fmt_.back();
      fmt_.pop_back();
      if (n == no_node) return;
    }
  }
  std::ptrdiff_t fmt_index(node_id n) const {
    for (std::size_t i = fmt_.size(); i-- > 0;)
      if (fmt_[i] == n) return static_cast<std::ptrdiff_t>(i);
    return -1;
  }
  void fmt_remove(node_id n) {
    auto i = fmt_index(n);
    if (i >= 0) fmt_.erase(fmt_.begin() + i);
  }

  void reconstruct_formatting() {
    if (fmt_.empty()) return;
    if (fmt_.back() == no_node || on_stack(fmt_.back())) return;
    std::size_t i = fmt_.size() - 1;
    while (i > 0) {
      node_id prev = fmt_[i - 1];
      if (prev == no_node || on_stack(prev)) break;
      --i;
    }
    for (; i < fmt_.size() && open_.size() < opt_.max_depth; ++i) {
      node_id clone = doc_.clone_element(fmt_[i]);
      insert_node(clone);
      push_open(clone);
      fmt_[i] = clone;
    }
  }

  // ---- insertion --------------------------------------------------------------------------------
  struct place {
    node_id parent;
    node_id before;  // no_node: append
  };

  place appropriate_place(node_id target = no_node) const {
    if (target == no_node) target = current();
    if (foster_ && doc_.ns(target) == name_space::html &&
        one_of(doc_.tag_of(target), tag::table, tag::tbody, tag::tfoot, tag::thead, tag::tr)) {
      std::ptrdiff_t last_template = -1, last_table = -1;
      for (std::size_t i = open_.size(); i-- > 0;) {
        if (last_template < 0 && doc_.is_html(open_[i], tag::template_))
          last_template = static_cast<std::ptrdiff_t>(i);
        if (last_table < 0 && doc_.is_html(open_[i], tag::table))
          last_table = static_cast<std::ptrdiff_t>(i);
      }
      if (last_template >= 0 && (last_table < 0 || last_template > last_table))
        return {open_[static_cast<std::size_t>(last_template)], no_node};
      if (last_table < 0) return {open_[0], no_node};
      node_id table = open_[static_cast<std::size_t>(last_table)];
      if (doc_.parent(table) != no_node) return {doc_.parent(table), table};
      return {open_[static_cast<std::size_t>(last_table) - 1], no_node};
    }
    return {target, no_node};
  }

  void insert_node(node_id n, node_id target = no_node) {
    place p = appropriate_place(target);
    doc_.insert_before(p.parent, n, p.before);
  }

  void push_open(node_id n) { open_.push_back(n); }

  // Creates the element, inserts it where the standard says and opens it (unless the depth cap
  // is reached: then it stays a closed child, see document.h).
  node_id insert_element(const token& t, name_space ns = name_space::html,
                         std::string_view name_override = {}) {
    std::string_view nm = name_override.empty() ? t.name : name_override;
    tag known = tag_of_token(t);
    atom name =
        name_override.empty() && known != tag::none ? static_cast<atom>(known) : doc_.intern(nm);
    node_id n = doc_.create_element(name, ns, t.attributes);
    insert_node(n);
    if (open_.size() >= opt_.max_depth) {
      doc_.add_error();
      depth_capped_ = true;
      return n;
    }
    depth_capped_ = false;
    push_open(n);
    return n;
  }
  node_id insert_html(tag t, std::span<const attribute> attrs = {}) {
    node_id n = doc_.create_element(static_cast<atom>(t), name_space::html, attrs);
    insert_node(n);
    push_open(n);
    return n;
  }
  // Pops the element just inserted (void elements, self-closing foreign ones) unless the depth
  // cap kept it from being pushed.
  void pop_inserted() {
    if (!depth_capped_) pop();
    depth_capped_ = false;
  }

  void insert_characters(std::string_view data) {
    if (data.empty()) return;
    place p = appropriate_place();
    if (doc_.kind(p.parent) == node_kind::document) return;  // text never goes on the document
    node_id before = p.before == no_node ? doc_.last_child(p.parent) : doc_.prev_sibling(p.before);
    if (before != no_node && doc_.kind(before) == node_kind::text) {
      doc_.append_text(before, data);
      return;
    }
    node_id n = doc_.create_text(data);
    doc_.insert_before(p.parent, n, p.before);
  }

  void insert_comment(const token& t, node_id parent = no_node) {
    node_id n = doc_.create_comment(t.data);
    if (parent != no_node)
      doc_.append_child(parent, n);
    else
      insert_node(n);
  }

  void generic_text(const token& t, tokenizer_state state) {
    node_id n = insert_element(t);
    // Past the depth cap the element is opened anyway: the text mode pops it at its end tag,
    // so this is one level past the cap at most.
    if (depth_capped_) push_open(n);
    tok_.set_state(state);
    original_ = mode_;
    mode_ = mode::text;
  }

  // ---- dispatch ---------------------------------------------------------------------------------
  bool is_mathml_text_ip(node_id n) const {
    if (doc_.ns(n) != name_space::mathml) return false;
    tag t = doc_.tag_of(n);
    using enum tag;
    return one_of(t, mi, mo, mn, ms, mtext);
  }
  bool is_html_ip(node_id n) const {
    if (doc_.ns(n) == name_space::mathml && doc_.tag_of(n) == tag::annotation_xml) {
      auto enc = doc_.attr(n, "encoding");
      return enc && (iequals(*enc, "text/html") || iequals(*enc, "application/xhtml+xml"));
    }
    if (doc_.ns(n) == name_space::svg) {
      tag t = doc_.tag_of(n);
      return one_of(t, tag::foreign_object, tag::desc, tag::title);
    }
    return false;
  }

  bool in_html_content(const token& t) const {
    if (open_.empty()) return true;
    node_id n = adjusted_current();
    if (doc_.ns(n) == name_space::html) return true;
    if (is_mathml_text_ip(n)) {
      if (t.kind == token_kind::start_tag && t.name != "mglyph" && t.name != "malignmark")
        return true;
      if (t.kind == token_kind::characters) return true;
    }
    if (doc_.ns(n) == name_space::mathml && doc_.tag_of(n) == tag::annotation_xml &&
        t.kind == token_kind::start_tag && t.name == "svg")
      return true;
    if (is_html_ip(n) && (t.kind == token_kind::start_tag || t.kind == token_kind::characters))
      return true;
    return t.kind == token_kind::eof;
  }

  void dispatch(const token& t) {
    if (in_html_content(t))
      process(t);
    else
      foreign(t);
  }

  void process(const token& t) { process_in(mode_, t); }

  void process_in(mode m, const token& t) {
    if (++reprocess_depth_ > 64) {
      // The rules always make progress within a few steps; this is a guard, not a rule.
      --reprocess_depth_;
      return;
    }
    switch (m) {
      case mode::initial:
        initial(t);
        break;
      case mode::before_html:
        before_html(t);
        break;
      case mode::before_head:
        before_head(t);
        break;
      case mode::in_head:
        in_head(t);
        break;
      case mode::in_head_noscript:
        in_head_noscript(t);
        break;
      case mode::after_head:
        after_head(t);
        break;
      case mode::in_body:
        in_body(t);
        break;
      case mode::text:
        text(t);
        break;
      case mode::in_table:
        in_table(t);
        break;
      case mode::in_table_text:
        in_table_text(t);
        break;
      case mode::in_caption:
        in_caption(t);
        break;
      case mode::in_column_group:
        in_column_group(t);
        break;
      case mode::in_table_body:
        in_table_body(t);
        break;
      case mode::in_row:
        in_row(t);
        break;
      case mode::in_cell:
        in_cell(t);
        break;
      case mode::in_select:
        in_select(t);
        break;
      case mode::in_select_in_table:
        in_select_in_table(t);
        break;
      case mode::in_template:
        in_template(t);
        break;
      case mode::after_body:
        after_body(t);
        break;
      case mode::in_frameset:
        in_frameset(t);
        break;
      case mode::after_frameset:
        after_frameset(t);
        break;
      case mode::after_after_body:
        after_after_body(t);
        break;
      case mode::after_after_frameset:
        after_after_frameset(t);
        break;
    }
    --reprocess_depth_;
  }

  // For modes that treat leading whitespace one way and the rest another: handles the
  // whitespace prefix with `ws` and returns the remainder as a token (empty data: nothing left).
  template <typename F>
  token split_ws(const token& t, F ws) {
    std::size_t k = ws_prefix(t.data);
    if (k > 0) ws(t.data.substr(0, k));
    token rest = t;
    rest.data = t.data.substr(k);
    return rest;
  }

  // The mode functions ask for a token's tag several times as it is reprocessed: the lookup is
  // done once per token in run() and reused while the name is the same view.
  // The token's text with each U+0000 dropped (HTML content) or made U+FFFD (foreign content),
  // counting one parse error per token that had any.
  // has_nul is the tokenizer's word that the data holds U+0000: most text skips the search
  // and the call.
  std::string_view without_nul(const token& t, std::string& buf, bool replace) {
    return t.has_nul ? strip_nul(t, buf, replace) : t.data;
  }
  std::string_view strip_nul(const token& t, std::string& buf, bool replace) {
    if (t.data.find('\0') == std::string_view::npos) return t.data;
    doc_.add_error();
    for (char c : t.data) {
      if (c != '\0')
        buf += c;
      else if (replace)
        buf += "\xEF\xBF\xBD";
    }
    return buf;
  }

  tag tag_of_token(const token& t) const {
    if (t.name.data() == token_tag_name_.data() && t.name.size() == token_tag_name_.size())
      return token_tag_;
    return lookup_tag(t.name);
  }

  // The rules several modes open with: leading whitespace inserted, comments inserted, a DOCTYPE
  // ignored (parse error), <html> handled as in body. True when t was one of those; text past
  // the whitespace is then left in `rest` for the mode's "anything else".
  bool shared_rules(const token& t, token& rest) {
    switch (t.kind) {
      case token_kind::characters:
        rest = split_ws(t, [this](std::string_view ws) { insert_characters(ws); });
        return true;
      case token_kind::comment:
        insert_comment(t);
        return true;
      case token_kind::doctype:
        doc_.add_error();
        return true;
      case token_kind::start_tag:
        if (tag_of_token(t) != tag::html) return false;
        in_body(t);
        return true;
      default:
        return false;
    }
  }

  // ---- the insertion modes ----------------------------------------------------------------------
  void initial(const token& t) {
    if (t.kind == token_kind::characters) {
      token rest = split_ws(t, [](std::string_view) {});
      if (rest.data.empty()) return;
      return initial_anything_else(rest);
    }
    if (t.kind == token_kind::comment) return insert_comment(t, document::root());
    if (t.kind == token_kind::doctype) {
      if (!t.has_name || t.name != "html" || t.has_public_id ||
          (t.has_system_id && t.system_id != "about:legacy-compat"))
        doc_.add_error();
      node_id n = doc_.create_doctype(
          t.name, t.has_public_id ? std::optional<std::string_view>(t.public_id) : std::nullopt,
          t.has_system_id ? std::optional<std::string_view>(t.system_id) : std::nullopt);
      doc_.append_child(document::root(), n);
      doc_.set_quirks(doctype_quirks(t));
      mode_ = mode::before_html;
      return;
    }
    initial_anything_else(t);
  }
  void initial_anything_else(const token& t) {
    doc_.add_error();
    doc_.set_quirks(quirks_mode::quirks);
    mode_ = mode::before_html;
    process(t);
  }

  void before_html(const token& t) {
    switch (t.kind) {
      case token_kind::doctype:
        doc_.add_error();
        return;
      case token_kind::comment:
        return insert_comment(t, document::root());
      case token_kind::characters: {
        token rest = split_ws(t, [](std::string_view) {});
        if (rest.data.empty()) return;
        return before_html_anything_else(rest);
      }
      case token_kind::start_tag:
        if (t.name == "html") return open_html(t.attributes);
        break;
      case token_kind::end_tag:
        if (stray_end_tag(t)) return;
        break;
      case token_kind::eof:
        break;
    }
    before_html_anything_else(t);
  }
  void before_html_anything_else(const token& t) {
    open_html({});
    process(t);
  }
  void open_html(std::span<const attribute> attrs) {
    node_id n = doc_.create_element(static_cast<atom>(tag::html), name_space::html, attrs);
    doc_.append_child(document::root(), n);
    push_open(n);
    mode_ = mode::before_head;
  }
  // Before the body, end tags other than head, body, html and br are parse errors and ignored;
  // those four fall through to the mode's "anything else".
  bool stray_end_tag(const token& t) {
    if (one_of(tag_of_token(t), tag::head, tag::body, tag::html, tag::br)) return false;
    doc_.add_error();
    return true;
  }

  void before_head(const token& t) {
    switch (t.kind) {
      case token_kind::characters: {
        token rest = split_ws(t, [](std::string_view) {});
        if (rest.data.empty()) return;
        return before_head_anything_else(rest);
      }
      case token_kind::comment:
        return insert_comment(t);
      case token_kind::doctype:
        doc_.add_error();
        return;
      case token_kind::start_tag:
        if (t.name == "html") return in_body(t);
        if (t.name == "head") {
          head_ = insert_element(t);
          mode_ = mode::in_head;
          return;
        }
        break;
      case token_kind::end_tag:
        if (stray_end_tag(t)) return;
        break;
      case token_kind::eof:
        break;
    }
    before_head_anything_else(t);
  }
  void before_head_anything_else(const token& t) {
    head_ = insert_html(tag::head);
    mode_ = mode::in_head;
    process(t);
  }

  void in_head(const token& t) {
    if (token rest; shared_rules(t, rest)) {
      if (!rest.data.empty()) in_head_anything_else(rest);
      return;
    }
    switch (t.kind) {
      case token_kind::start_tag: {
        tag tk = tag_of_token(t);
        switch (tk) {
          case tag::base:
          case tag::basefont:
          case tag::bgsound:
          case tag::link:
          case tag::meta:
            insert_element(t);
            pop_inserted();
            return;
          case tag::title:
            return generic_text(t, tokenizer_state::rcdata);
          case tag::noframes:
          case tag::style:
            return generic_text(t, tokenizer_state::rawtext);
          case tag::noscript:
            insert_element(t);
            if (!depth_capped_) mode_ = mode::in_head_noscript;
            return;
          case tag::script:
            return generic_text(t, tokenizer_state::script_data);
          case tag::template_:
            insert_element(t);
            if (depth_capped_) return;  // not opened: its mode would have no element
            push_marker();
            frameset_ok_ = false;
            mode_ = mode::in_template;
            template_modes_.push_back(mode::in_template);
            return;
          case tag::head:
            doc_.add_error();
            return;
          default:
            break;
        }
        break;
      }
      case token_kind::end_tag: {
        tag tk = tag_of_token(t);
        if (tk == tag::head) {
          pop();
          mode_ = mode::after_head;
          return;
        }
        if (tk == tag::template_) {
          if (!template_on_stack()) {
            doc_.add_error();
            return;
          }
          generate_all_implied_end_tags();
          if (!cur_is(tag::template_)) doc_.add_error();
          pop_until(tag::template_);
          clear_to_marker();
          if (!template_modes_.empty()) template_modes_.pop_back();
          reset_insertion_mode();
          return;
        }
        if (!one_of(tk, tag::body, tag::html, tag::br)) {
          doc_.add_error();
          return;
        }
        break;
      }
      default:  // end of file: anything else
        break;
    }
    in_head_anything_else(t);
  }
  void in_head_anything_else(const token& t) {
    pop();  // the head element
    mode_ = mode::after_head;
    process(t);
  }

  void in_head_noscript(const token& t) {
    switch (t.kind) {
      case token_kind::doctype:
        doc_.add_error();
        return;
      case token_kind::comment:
        return in_head(t);
      case token_kind::characters: {
        token rest = split_ws(t, [this](std::string_view ws) { insert_characters(ws); });
        if (rest.data.empty()) return;
        return in_head_noscript_anything_else(rest);
      }
      case token_kind::start_tag: {
        tag tk = tag_of_token(t);
        if (tk == tag::html) return in_body(t);
        if (one_of(tk, tag::basefont, tag::bgsound, tag::link, tag::meta, tag::noframes,
                   tag::style))
          return in_head(t);
        if (one_of(tk, tag::head, tag::noscript)) {
          doc_.add_error();
          return;
        }
        break;
      }
      case token_kind::end_tag: {
        tag tk = tag_of_token(t);
        if (tk == tag::noscript) {
          pop();
          mode_ = mode::in_head;
          return;
        }
        if (tk != tag::br) {
          doc_.add_error();
          return;
        }
        break;
      }
      case token_kind::eof:
        break;
    }
    in_head_noscript_anything_else(t);
  }
  void in_head_noscript_anything_else(const token& t) {
    doc_.add_error();
    pop();
    mode_ = mode::in_head;
    process(t);
  }

  void after_head(const token& t) {
    if (token rest; shared_rules(t, rest)) {
      if (!rest.data.empty()) after_head_anything_else(rest);
      return;
    }
    switch (t.kind) {
      case token_kind::start_tag: {
        tag tk = tag_of_token(t);
        switch (tk) {
          case tag::body:
            insert_element(t);
            frameset_ok_ = false;
            mode_ = mode::in_body;
            return;
          case tag::frameset:
            insert_element(t);
            mode_ = mode::in_frameset;
            return;
          case tag::base:
          case tag::basefont:
          case tag::bgsound:
          case tag::link:
          case tag::meta:
          case tag::noframes:
          case tag::script:
          case tag::style:
          case tag::template_:
          case tag::title: {
            doc_.add_error();
            if (head_ == no_node) return;
            push_open(head_);
            in_head(t);
            auto it = std::find(open_.begin(), open_.end(), head_);
            if (it != open_.end()) open_.erase(it);
            return;
          }
          case tag::head:
            doc_.add_error();
            return;
          default:
            break;
        }
        break;
      }
      case token_kind::end_tag: {
        tag tk = tag_of_token(t);
        if (tk == tag::template_) return in_head(t);
        if (!one_of(tk, tag::body, tag::html, tag::br)) {
          doc_.add_error();
          return;
        }
        break;
      }
      default:  // end of file: anything else
        break;
    }
    after_head_anything_else(t);
  }
  void after_head_anything_else(const token& t) {
    insert_html(tag::body);
    mode_ = mode::in_body;
    process(t);
  }

  void in_body(const token& t) {
    switch (t.kind) {
      case token_kind::characters: {
        // U+0000 is a parse error and ignored here; before the body it counted as
        // non-whitespace (it is what creates the body), so it is dropped only now.
        std::string buf;
        std::string_view data = without_nul(t, buf, false);
        if (data.empty()) return;
        reconstruct_formatting();
        insert_characters(data);
        if (!all_ws(data)) frameset_ok_ = false;
        return;
      }
      case token_kind::comment:
        return insert_comment(t);
      case token_kind::doctype:
        doc_.add_error();
        return;
      case token_kind::start_tag:
        return in_body_start(t);
      case token_kind::end_tag:
        return in_body_end(t);
      case token_kind::eof:
        if (!template_modes_.empty()) return in_template(t);
        stopped_ = true;
        return;
    }
  }

  void in_body_start(const token& t) {
    tag tk = tag_of_token(t);
    switch (tk) {
      using enum tag;
      case html:
        doc_.add_error();
        if (template_on_stack()) return;
        doc_.merge_attributes(open_[0], t.attributes);
        return;
      case base:
      case basefont:
      case bgsound:
      case link:
      case meta:
      case noframes:
      case script:
      case style:
      case template_:
      case title:
        return in_head(t);
      case body:
        doc_.add_error();
        if (open_.size() < 2 || !doc_.is_html(open_[1], body) || template_on_stack()) return;
        frameset_ok_ = false;
        doc_.merge_attributes(open_[1], t.attributes);
        return;
      case frameset:
        doc_.add_error();
        if (open_.size() < 2 || !doc_.is_html(open_[1], body) || !frameset_ok_) return;
        doc_.detach(open_[1]);
        open_.resize(1);
        insert_element(t);
        mode_ = mode::in_frameset;
        return;
      case address:
      case article:
      case aside:
      case blockquote:
      case center:
      case details:
      case dialog:
      case dir:
      case div:
      case dl:
      case fieldset:
      case figcaption:
      case figure:
      case footer:
      case header:
      case hgroup:
      case main:
      case menu:
      case nav:
      case ol:
      case p:
      case search:
      case section:
      case summary:
      case ul:
        close_p_in_button_scope();
        insert_element(t);
        return;
      case h1:
      case h2:
      case h3:
      case h4:
      case h5:
      case h6:
        close_p_in_button_scope();
        if (is_heading(cur_tag())) {
          doc_.add_error();
          pop();
        }
        insert_element(t);
        return;
      case pre:
      case listing:
        close_p_in_button_scope();
        insert_element(t);
        skip_lf_ = true;
        frameset_ok_ = false;
        return;
      case form:
        if (form_ != no_node && !template_on_stack()) {
          doc_.add_error();
          return;
        }
        close_p_in_button_scope();
        {
          node_id n = insert_element(t);
          if (!template_on_stack()) form_ = n;
        }
        return;
      case li:
      case dd:
      case dt: {
        frameset_ok_ = false;
        for (std::size_t i = open_.size(); i-- > 0;) {
          node_id n = open_[i];
          tag nt = doc_.ns(n) == name_space::html ? doc_.tag_of(n) : tag::none;
          bool match = tk == li ? nt == li : (nt == dd || nt == dt);
          if (match) {
            generate_implied_end_tags(nt);
            if (cur_tag() != nt) doc_.add_error();
            pop_until(nt);
            break;
          }
          if (is_special(n) && !(doc_.ns(n) == name_space::html && one_of(nt, address, div, p)))
            break;
        }
        close_p_in_button_scope();
        insert_element(t);
        return;
      }
      case plaintext:
        close_p_in_button_scope();
        insert_element(t);
        tok_.set_state(tokenizer_state::plaintext);
        return;
      case button:
        if (in_scope(button)) {
          doc_.add_error();
          generate_implied_end_tags();
          pop_until(button);
        }
        reconstruct_formatting();
        insert_element(t);
        frameset_ok_ = false;
        return;
      case a: {
        for (std::size_t i = fmt_.size(); i-- > 0;) {
          if (fmt_[i] == no_node) break;
          if (doc_.is_html(fmt_[i], a)) {
            node_id old = fmt_[i];
            doc_.add_error();
            adoption_agency(static_cast<atom>(a));
            fmt_remove(old);
            auto it = find_open(old);
            if (it != open_.end()) open_.erase(it);
            break;
          }
        }
        reconstruct_formatting();
        node_id n = insert_element(t);
        if (!depth_capped_) push_formatting(n);
        return;
      }
      case b:
      case big:
      case code:
      case em:
      case font:
      case i:
      case s:
      case small:
      case strike:
      case strong:
      case tt:
      case u: {
        reconstruct_formatting();
        node_id n = insert_element(t);
        if (!depth_capped_) push_formatting(n);
        return;
      }
      case nobr: {
        reconstruct_formatting();
        if (in_scope(nobr)) {
          doc_.add_error();
          adoption_agency(static_cast<atom>(nobr));
          reconstruct_formatting();
        }
        node_id n = insert_element(t);
        if (!depth_capped_) push_formatting(n);
        return;
      }
      case applet:
      case marquee:
      case object:
        reconstruct_formatting();
        insert_element(t);
        push_marker();
        frameset_ok_ = false;
        return;
      case table:
        if (doc_.quirks() != quirks_mode::quirks) close_p_in_button_scope();
        insert_element(t);
        frameset_ok_ = false;
        if (!depth_capped_) mode_ = mode::in_table;
        return;
      case area:
      case br:
      case embed:
      case img:
      case keygen:
      case wbr:
        reconstruct_formatting();
        insert_element(t);
        pop_inserted();
        frameset_ok_ = false;
        return;
      case input: {
        reconstruct_formatting();
        insert_element(t);
        pop_inserted();
        auto type = attr_of(t, "type");
        if (!type || !iequals(*type, "hidden")) frameset_ok_ = false;
        return;
      }
      case param:
      case source:
      case track:
        insert_element(t);
        pop_inserted();
        return;
      case hr:
        close_p_in_button_scope();
        insert_element(t);
        pop_inserted();
        frameset_ok_ = false;
        return;
      case image: {
        doc_.add_error();
        token copy = t;
        copy.name = "img";
        return in_body_start(copy);
      }
      case textarea:
        generic_text(t, tokenizer_state::rcdata);
        skip_lf_ = true;
        frameset_ok_ = false;
        return;
      case xmp:
        close_p_in_button_scope();
        reconstruct_formatting();
        frameset_ok_ = false;
        return generic_text(t, tokenizer_state::rawtext);
      case iframe:
        frameset_ok_ = false;
        return generic_text(t, tokenizer_state::rawtext);
      case noembed:
        return generic_text(t, tokenizer_state::rawtext);
      case select:
        reconstruct_formatting();
        insert_element(t);
        frameset_ok_ = false;
        if (depth_capped_) return;
        if (one_of(mode_, mode::in_table, mode::in_caption, mode::in_table_body, mode::in_row,
                   mode::in_cell))
          mode_ = mode::in_select_in_table;
        else
          mode_ = mode::in_select;
        return;
      case optgroup:
      case option:
        if (cur_is(option)) pop();
        reconstruct_formatting();
        insert_element(t);
        return;
      case rb:
      case rtc:
        if (in_scope(ruby)) {
          generate_implied_end_tags();
          if (!cur_is(ruby)) doc_.add_error();
        }
        insert_element(t);
        return;
      case rp:
      case rt:
        if (in_scope(ruby)) {
          generate_implied_end_tags(rtc);
          if (!cur_is(rtc) && !cur_is(ruby)) doc_.add_error();
        }
        insert_element(t);
        return;
      case math:
        reconstruct_formatting();
        insert_foreign(t, name_space::mathml);
        return;
      case svg:
        reconstruct_formatting();
        insert_foreign(t, name_space::svg);
        return;
      case caption:
      case col:
      case colgroup:
      case frame:
      case head:
      case tbody:
      case td:
      case tfoot:
      case th:
      case thead:
      case tr:
        doc_.add_error();
        return;
      default:
        reconstruct_formatting();
        insert_element(t);
        return;
    }
  }

  static std::optional<std::string_view> attr_of(const token& t, std::string_view name) {
    for (const attribute& a : t.attributes)
      if (a.name == name) return a.value;
    return std::nullopt;
  }

  void in_body_end(const token& t) {
    tag tk = tag_of_token(t);
    switch (tk) {
      using enum tag;
      case template_:
        return in_head(t);
      case body:
      case html:
        if (!in_scope(body)) {
          doc_.add_error();
          return;
        }
        mode_ = mode::after_body;
        if (tk == html) process(t);
        return;
      case address:
      case article:
      case aside:
      case blockquote:
      case button:
      case center:
      case details:
      case dialog:
      case dir:
      case div:
      case dl:
      case fieldset:
      case figcaption:
      case figure:
      case footer:
      case header:
      case hgroup:
      case listing:
      case main:
      case menu:
      case nav:
      case ol:
      case pre:
      case search:
      case section:
      case summary:
      case ul:
        if (!in_scope(tk)) {
          doc_.add_error();
          return;
        }
        generate_implied_end_tags();
        if (!cur_is(tk)) doc_.add_error();
        pop_until(tk);
        return;
      case form:
        if (!template_on_stack()) {
          node_id n = form_;
          form_ = no_node;
          if (n == no_node || !node_in_scope(n)) {
            doc_.add_error();
            return;
          }
          generate_implied_end_tags();
          if (current() != n) doc_.add_error();
          auto it = find_open(n);
          if (it != open_.end()) open_.erase(it);
        } else {
          if (!in_scope(form)) {
            doc_.add_error();
            return;
          }
          generate_implied_end_tags();
          if (!cur_is(form)) doc_.add_error();
          pop_until(form);
        }
        return;
      case p:
        if (!in_scope(p, scope::button)) {
          doc_.add_error();
          insert_html(p);
        }
        close_p();
        return;
      case li:
        if (!in_scope(li, scope::list_item)) {
          doc_.add_error();
          return;
        }
        generate_implied_end_tags(li);
        if (!cur_is(li)) doc_.add_error();
        pop_until(li);
        return;
      case dd:
      case dt:
        if (!in_scope(tk)) {
          doc_.add_error();
          return;
        }
        generate_implied_end_tags(tk);
        if (!cur_is(tk)) doc_.add_error();
        pop_until(tk);
        return;
      case h1:
      case h2:
      case h3:
      case h4:
      case h5:
      case h6:
        if (!heading_in_scope()) {
          doc_.add_error();
          return;
        }
        generate_implied_end_tags();
        if (!cur_is(tk)) doc_.add_error();
        pop_through([&](node_id n) {
          return doc_.ns(n) == name_space::html && is_heading(doc_.tag_of(n));
        });
        return;
      case a:
      case b:
      case big:
      case code:
      case em:
      case font:
      case i:
      case nobr:
      case s:
      case small:
      case strike:
      case strong:
      case tt:
      case u:
        adoption_agency(static_cast<atom>(tk));
        return;
      case applet:
      case marquee:
      case object:
        if (!in_scope(tk)) {
          doc_.add_error();
          return;
        }
        generate_implied_end_tags();
        if (!cur_is(tk)) doc_.add_error();
        pop_until(tk);
        clear_to_marker();
        return;
      case br: {
        doc_.add_error();
        token copy = t;
        copy.kind = token_kind::start_tag;
        copy.attributes = {};
        return in_body_start(copy);
      }
      default: {
        if (tk != tag::none) return any_other_end_tag(static_cast<atom>(tk));
        auto a = doc_.find_atom(t.name);
        if (a) any_other_end_tag(*a);
        return;
      }
    }
  }

  void any_other_end_tag(atom name) {
    for (std::size_t i = open_.size(); i-- > 0;) {
      node_id n = open_[i];
      if (doc_.ns(n) == name_space::html && doc_.at(n).name == name) {
        generate_implied_end_tags(name < tag_count ? static_cast<tag>(name) : tag::count);
        if (current() != n) doc_.add_error();
        pop_until_node(n);
        return;
      }
      if (is_special(n)) {
        doc_.add_error();
        return;
      }
    }
  }

  void adoption_agency(atom subject) {
    node_id cur = current();
    if (cur != no_node && doc_.ns(cur) == name_space::html && doc_.at(cur).name == subject &&
        fmt_index(cur) < 0) {
      pop();
      return;
    }
    for (int outer = 0; outer < 8; ++outer) {
      std::ptrdiff_t fi = -1;
      for (std::size_t i = fmt_.size(); i-- > 0;) {
        if (fmt_[i] == no_node) break;
        if (doc_.at(fmt_[i]).name == subject) {
          fi = static_cast<std::ptrdiff_t>(i);
          break;
        }
      }
      if (fi < 0) return any_other_end_tag(subject);
      node_id formatting = fmt_[static_cast<std::size_t>(fi)];
      auto stack_it = find_open(formatting);
      if (stack_it == open_.end()) {
        doc_.add_error();
        fmt_.erase(fmt_.begin() + fi);
        return;
      }
      if (!node_in_scope(formatting)) {
        doc_.add_error();
        return;
      }
      if (formatting != current()) doc_.add_error();
      std::size_t fpos = static_cast<std::size_t>(stack_it - open_.begin());
      std::size_t fb_pos = 0;
      node_id furthest = no_node;
      for (std::size_t i = fpos + 1; i < open_.size(); ++i) {
        if (is_special(open_[i])) {
          furthest = open_[i];
          fb_pos = i;
          break;
        }
      }
      if (furthest == no_node) {
        open_.resize(fpos);
        fmt_.erase(fmt_.begin() + fi);
        return;
      }
      node_id common_ancestor = open_[fpos - 1];
      std::ptrdiff_t bookmark = fi;
      node_id last = furthest;
      std::size_t idx = fb_pos;
      for (int inner = 1;; ++inner) {
        --idx;
        node_id n = open_[idx];
        if (n == formatting) break;
        std::ptrdiff_t ni = fmt_index(n);
        if (inner > 3 && ni >= 0) {
          fmt_.erase(fmt_.begin() + ni);
          if (ni < bookmark) --bookmark;
          ni = -1;
        }
        if (ni < 0) {
          open_.erase(open_.begin() + static_cast<std::ptrdiff_t>(idx));
          continue;
        }
        node_id clone = doc_.clone_element(n);
        fmt_[static_cast<std::size_t>(ni)] = clone;
        open_[idx] = clone;
        n = clone;
        if (last == furthest) bookmark = ni + 1;
        doc_.detach(last);
        doc_.append_child(n, last);
        last = n;
      }
      doc_.detach(last);
      insert_node(last, common_ancestor);
      node_id fresh = doc_.clone_element(formatting);
      while (doc_.first_child(furthest) != no_node) {
        node_id c = doc_.first_child(furthest);
        doc_.detach(c);
        doc_.append_child(fresh, c);
      }
      doc_.append_child(furthest, fresh);
      std::ptrdiff_t old = fmt_index(formatting);
      if (old >= 0) {
        fmt_.erase(fmt_.begin() + old);
        if (old < bookmark) --bookmark;
      }
      bookmark = std::clamp<std::ptrdiff_t>(bookmark, 0, static_cast<std::ptrdiff_t>(fmt_.size()));
      fmt_.insert(fmt_.begin() + bookmark, fresh);
      auto fit = find_open(formatting);
      if (fit != open_.end()) open_.erase(fit);
      auto bit = find_open(furthest);
      open_.insert(bit + 1, fresh);
    }
  }

  void insert_foreign(const token& t, name_space ns) {
    std::vector<attribute> fixed(t.attributes.begin(), t.attributes.end());
    for (attribute& a : fixed) {
      if (ns == name_space::svg)
        a.name = fix_name(a.name, kSvgAttrFixes);
      else if (ns == name_space::mathml && a.name == "definitionurl")
        a.name = "definitionURL";
    }
    std::string_view nm = t.name;
    if (ns == name_space::svg) nm = fix_name(nm, kSvgTagFixes);
    node_id n = doc_.create_element(doc_.intern(nm), ns, fixed);
    insert_node(n);
    if (open_.size() >= opt_.max_depth) {
      doc_.add_error();
      return;
    }
    if (!t.self_closing) push_open(n);
  }

  void text(const token& t) {
    switch (t.kind) {
      case token_kind::characters:
        return insert_characters(t.data);
      case token_kind::eof:
        doc_.add_error();
        pop();
        mode_ = original_;
        return process(t);
      case token_kind::end_tag:
        pop();
        mode_ = original_;
        return;
      default:
        return;
    }
  }

  void clear_to_context(std::initializer_list<tag> stops) {
    while (!open_.empty()) {
      node_id n = open_.back();
      if (doc_.ns(n) == name_space::html &&
          std::find(stops.begin(), stops.end(), doc_.tag_of(n)) != stops.end())
        return;
      pop();
    }
  }
  void clear_to_table_context() { clear_to_context({tag::table, tag::template_, tag::html}); }
  void clear_to_table_body_context() {
    clear_to_context({tag::tbody, tag::tfoot, tag::thead, tag::template_, tag::html});
  }
  void clear_to_row_context() { clear_to_context({tag::tr, tag::template_, tag::html}); }

  void in_table(const token& t) {
    switch (t.kind) {
      case token_kind::characters: {
        using enum tag;
        if (one_of(cur_tag(), table, tbody, template_, tfoot, thead, tr)) {
          pending_text_.clear();
          original_ = mode_;
          mode_ = mode::in_table_text;
          return process(t);
        }
        break;
      }
      case token_kind::comment:
        return insert_comment(t);
      case token_kind::doctype:
        doc_.add_error();
        return;
      case token_kind::start_tag: {
        tag tk = tag_of_token(t);
        switch (tk) {
          using enum tag;
          case caption:
            clear_to_table_context();
            insert_element(t);
            if (depth_capped_) return;
            push_marker();
            mode_ = mode::in_caption;
            return;
          case colgroup:
            clear_to_table_context();
            insert_element(t);
            if (!depth_capped_) mode_ = mode::in_column_group;
            return;
          case col:
            clear_to_table_context();
            insert_html(colgroup);
            mode_ = mode::in_column_group;
            return process(t);
          case tbody:
          case tfoot:
          case thead:
            clear_to_table_context();
            insert_element(t);
            if (!depth_capped_) mode_ = mode::in_table_body;
            return;
          case td:
          case th:
          case tr:
            clear_to_table_context();
            insert_html(tbody);
            mode_ = mode::in_table_body;
            return process(t);
          case table:
            doc_.add_error();
            if (!in_scope(table, scope::table)) return;
            pop_until(table);
            reset_insertion_mode();
            return process(t);
          case style:
          case script:
          case template_:
            return in_head(t);
          case input: {
            auto type = attr_of(t, "type");
            if (!type || !iequals(*type, "hidden")) break;
            doc_.add_error();
            insert_element(t);
            pop_inserted();
            return;
          }
          case form:
            doc_.add_error();
            if (template_on_stack() || form_ != no_node) return;
            form_ = insert_element(t);
            pop_inserted();
            return;
          default:
            break;
        }
        break;
      }
      case token_kind::end_tag: {
        tag tk = tag_of_token(t);
        switch (tk) {
          using enum tag;
          case table:
            if (!in_scope(table, scope::table)) {
              doc_.add_error();
              return;
            }
            pop_until(table);
            reset_insertion_mode();
            return;
          case body:
          case caption:
          case col:
          case colgroup:
          case html:
          case tbody:
          case td:
          case tfoot:
          case th:
          case thead:
          case tr:
            doc_.add_error();
            return;
          case template_:
            return in_head(t);
          default:
            break;
        }
        break;
      }
      case token_kind::eof:
        return in_body(t);
    }
    doc_.add_error();
    foster_ = true;
    in_body(t);
    foster_ = false;
  }

  void in_table_text(const token& t) {
    if (t.kind == token_kind::characters) {
      std::string buf;
      pending_text_.append(without_nul(t, buf, false));
      return;
    }
    if (!all_ws(pending_text_)) {
      doc_.add_error();
      foster_ = true;
      reconstruct_formatting();
      insert_characters(pending_text_);
      frameset_ok_ = false;
      foster_ = false;
    } else {
      insert_characters(pending_text_);
    }
    pending_text_.clear();
    mode_ = original_;
    process(t);
  }

  void close_caption() {
    generate_implied_end_tags();
    if (!cur_is(tag::caption)) doc_.add_error();
    pop_until(tag::caption);
    clear_to_marker();
    mode_ = mode::in_table;
  }

  void in_caption(const token& t) {
    tag tk = t.kind == token_kind::start_tag || t.kind == token_kind::end_tag ? tag_of_token(t)
                                                                              : tag::none;
    using enum tag;
    if (t.kind == token_kind::end_tag && tk == caption) {
      if (!in_scope(caption, scope::table)) {
        doc_.add_error();
        return;
      }
      return close_caption();
    }
    if ((t.kind == token_kind::start_tag &&
         one_of(tk, caption, col, colgroup, tbody, td, tfoot, th, thead, tr)) ||
        (t.kind == token_kind::end_tag && tk == table)) {
      if (!in_scope(caption, scope::table)) {
        doc_.add_error();
        return;
      }
      close_caption();
      return process(t);
    }
    if (t.kind == token_kind::end_tag &&
        one_of(tk, body, col, colgroup, html, tbody, td, tfoot, th, thead, tr)) {
      doc_.add_error();
      return;
    }
    in_body(t);
  }

  void in_column_group(const token& t) {
    tag tk = t.kind == token_kind::start_tag || t.kind == token_kind::end_tag ? tag_of_token(t)
                                                                              : tag::none;
    if (token rest; shared_rules(t, rest)) {
      if (!rest.data.empty()) column_group_anything_else(rest);
      return;
    }
    switch (t.kind) {
      case token_kind::start_tag:
        if (tk == tag::col) {
          insert_element(t);
          pop_inserted();
          return;
        }
        if (tk == tag::template_) return in_head(t);
        break;
      case token_kind::end_tag:
        if (tk == tag::colgroup) {
          if (!cur_is(tag::colgroup)) {
            doc_.add_error();
            return;
          }
          pop();
          mode_ = mode::in_table;
          return;
        }
        if (tk == tag::col) {
          doc_.add_error();
          return;
        }
        if (tk == tag::template_) return in_head(t);
        break;
      case token_kind::eof:
        return in_body(t);
      default:
        break;
    }
    column_group_anything_else(t);
  }
  void column_group_anything_else(const token& t) {
    if (!cur_is(tag::colgroup)) {
      doc_.add_error();
      return;
    }
    pop();
    mode_ = mode::in_table;
    process(t);
  }

  void in_table_body(const token& t) {
    tag tk = t.kind == token_kind::start_tag || t.kind == token_kind::end_tag ? tag_of_token(t)
                                                                              : tag::none;
    using enum tag;
    if (t.kind == token_kind::start_tag) {
      if (tk == tr) {
        clear_to_table_body_context();
        insert_element(t);
        if (!depth_capped_) mode_ = mode::in_row;
        return;
      }
      if (tk == th || tk == td) {
        doc_.add_error();
        clear_to_table_body_context();
        insert_html(tr);
        mode_ = mode::in_row;
        return process(t);
      }
    }
    if (t.kind == token_kind::end_tag && one_of(tk, tbody, tfoot, thead)) {
      if (!in_scope(tk, scope::table)) {
        doc_.add_error();
        return;
      }
      clear_to_table_body_context();
      pop();
      mode_ = mode::in_table;
      return;
    }
    if ((t.kind == token_kind::start_tag &&
         one_of(tk, caption, col, colgroup, tbody, tfoot, thead)) ||
        (t.kind == token_kind::end_tag && tk == table)) {
      if (!in_scope(tbody, scope::table) && !in_scope(thead, scope::table) &&
          !in_scope(tfoot, scope::table)) {
        doc_.add_error();
        return;
      }
      clear_to_table_body_context();
      pop();
      mode_ = mode::in_table;
      return process(t);
    }
    if (t.kind == token_kind::end_tag &&
        one_of(tk, body, caption, col, colgroup, html, td, th, tr)) {
      doc_.add_error();
      return;
    }
    in_table(t);
  }

  void in_row(const token& t) {
    tag tk = t.kind == token_kind::start_tag || t.kind == token_kind::end_tag ? tag_of_token(t)
                                                                              : tag::none;
    using enum tag;
    if (t.kind == token_kind::start_tag && (tk == th || tk == td)) {
      clear_to_row_context();
      insert_element(t);
      if (depth_capped_) return;
      mode_ = mode::in_cell;
      push_marker();
      return;
    }
    if (t.kind == token_kind::end_tag && tk == tr) {
      if (!in_scope(tr, scope::table)) {
        doc_.add_error();
        return;
      }
      clear_to_row_context();
      pop();
      mode_ = mode::in_table_body;
      return;
    }
    if ((t.kind == token_kind::start_tag &&
         one_of(tk, caption, col, colgroup, tbody, tfoot, thead, tr)) ||
        (t.kind == token_kind::end_tag && tk == table)) {
      if (!in_scope(tr, scope::table)) {
        doc_.add_error();
        return;
      }
      clear_to_row_context();
      pop();
      mode_ = mode::in_table_body;
      return process(t);
    }
    if (t.kind == token_kind::end_tag && one_of(tk, tbody, tfoot, thead)) {
      if (!in_scope(tk, scope::table)) {
        doc_.add_error();
        return;
      }
      if (!in_scope(tr, scope::table)) return;
      clear_to_row_context();
      pop();
      mode_ = mode::in_table_body;
      return process(t);
    }
    if (t.kind == token_kind::end_tag && one_of(tk, body, caption, col, colgroup, html, td, th)) {
      doc_.add_error();
      return;
    }
    in_table(t);
  }

  void close_cell() {
    generate_implied_end_tags();
    if (!cur_is(tag::td) && !cur_is(tag::th)) doc_.add_error();
    pop_through([&](node_id n) { return doc_.is_html(n, tag::td) || doc_.is_html(n, tag::th); });
    clear_to_marker();
    mode_ = mode::in_row;
  }

  void in_cell(const token& t) {
    tag tk = t.kind == token_kind::start_tag || t.kind == token_kind::end_tag ? tag_of_token(t)
                                                                              : tag::none;
    using enum tag;
    if (t.kind == token_kind::end_tag && (tk == td || tk == th)) {
      if (!in_scope(tk, scope::table)) {
        doc_.add_error();
        return;
      }
      generate_implied_end_tags();
      if (!cur_is(tk)) doc_.add_error();
      pop_until(tk);
      clear_to_marker();
      mode_ = mode::in_row;
      return;
    }
    if (t.kind == token_kind::start_tag &&
        one_of(tk, caption, col, colgroup, tbody, td, tfoot, th, thead, tr)) {
      if (!in_scope(td, scope::table) && !in_scope(th, scope::table)) {
        doc_.add_error();
        return;
      }
      close_cell();
      return process(t);
    }
    if (t.kind == token_kind::end_tag && one_of(tk, body, caption, col, colgroup, html)) {
      doc_.add_error();
      return;
    }
    if (t.kind == token_kind::end_tag && one_of(tk, table, tbody, tfoot, thead, tr)) {
      if (!in_scope(tk, scope::table)) {
        doc_.add_error();
        return;
      }
      close_cell();
      return process(t);
    }
    in_body(t);
  }

  void in_select(const token& t) {
    tag tk = t.kind == token_kind::start_tag || t.kind == token_kind::end_tag ? tag_of_token(t)
                                                                              : tag::none;
    using enum tag;
    switch (t.kind) {
      case token_kind::characters: {
        std::string buf;
        return insert_characters(without_nul(t, buf, false));
      }
      case token_kind::comment:
        return insert_comment(t);
      case token_kind::doctype:
        doc_.add_error();
        return;
      case token_kind::eof:
        return in_body(t);
      case token_kind::start_tag:
        switch (tk) {
          case html:
            return in_body(t);
          case option:
            if (cur_is(option)) pop();
            insert_element(t);
            return;
          case optgroup:
            if (cur_is(option)) pop();
            if (cur_is(optgroup)) pop();
            insert_element(t);
            return;
          case select:
            doc_.add_error();
            if (!in_scope(select, scope::select)) return;
            pop_until(select);
            reset_insertion_mode();
            return;
          case input:
          case keygen:
          case textarea:
            doc_.add_error();
            if (!in_scope(select, scope::select)) return;
            pop_until(select);
            reset_insertion_mode();
            return process(t);
          case script:
          case template_:
            return in_head(t);
          default:
            doc_.add_error();
            return;
        }
      case token_kind::end_tag:
        switch (tk) {
          case optgroup:
            if (cur_is(option) && open_.size() >= 2 &&
                doc_.is_html(open_[open_.size() - 2], optgroup))
              pop();
            if (cur_is(optgroup))
              pop();
            else
              doc_.add_error();
            return;
          case option:
            if (cur_is(option))
              pop();
            else
              doc_.add_error();
            return;
          case select:
            if (!in_scope(select, scope::select)) {
              doc_.add_error();
              return;
            }
            pop_until(select);
            reset_insertion_mode();
            return;
          case template_:
            return in_head(t);
          default:
            doc_.add_error();
            return;
        }
    }
  }

  void in_select_in_table(const token& t) {
    tag tk = t.kind == token_kind::start_tag || t.kind == token_kind::end_tag ? tag_of_token(t)
                                                                              : tag::none;
    using enum tag;
    bool table_tag = one_of(tk, caption, table, tbody, tfoot, thead, tr, td, th);
    if (t.kind == token_kind::start_tag && table_tag) {
      doc_.add_error();
      pop_until(select);
      reset_insertion_mode();
      return process(t);
    }
    if (t.kind == token_kind::end_tag && table_tag) {
      doc_.add_error();
      if (!in_scope(tk, scope::table)) return;
      pop_until(select);
      reset_insertion_mode();
      return process(t);
    }
    in_select(t);
  }

  void switch_template_mode(mode m, const token& t) {
    if (!template_modes_.empty()) template_modes_.pop_back();
    template_modes_.push_back(m);
    mode_ = m;
    process(t);
  }

  void in_template(const token& t) {
    tag tk = t.kind == token_kind::start_tag || t.kind == token_kind::end_tag ? tag_of_token(t)
                                                                              : tag::none;
    using enum tag;
    switch (t.kind) {
      case token_kind::characters:
      case token_kind::comment:
      case token_kind::doctype:
        return in_body(t);
      case token_kind::start_tag:
        switch (tk) {
          case base:
          case basefont:
          case bgsound:
          case link:
          case meta:
          case noframes:
          case script:
          case style:
          case template_:
          case title:
            return in_head(t);
          case caption:
          case colgroup:
          case tbody:
          case tfoot:
          case thead:
            return switch_template_mode(mode::in_table, t);
          case col:
            return switch_template_mode(mode::in_column_group, t);
          case tr:
            return switch_template_mode(mode::in_table_body, t);
          case td:
          case th:
            return switch_template_mode(mode::in_row, t);
          default:
            return switch_template_mode(mode::in_body, t);
        }
      case token_kind::end_tag:
        if (tk == template_) return in_head(t);
        doc_.add_error();
        return;
      case token_kind::eof:
        if (!template_on_stack()) {
          stopped_ = true;
          return;
        }
        doc_.add_error();
        pop_until(template_);
        clear_to_marker();
        if (!template_modes_.empty()) template_modes_.pop_back();
        reset_insertion_mode();
        return process(t);
    }
  }

  void after_body(const token& t) {
    switch (t.kind) {
      case token_kind::characters: {
        token rest = split_ws(t, [this](std::string_view ws) {
          token w;
          w.kind = token_kind::characters;
          w.data = ws;
          in_body(w);
        });
        if (rest.data.empty()) return;
        doc_.add_error();
        mode_ = mode::in_body;
        return process(rest);
      }
      case token_kind::comment:
        return insert_comment(t, open_.empty() ? 0 : open_[0]);
      case token_kind::doctype:
        doc_.add_error();
        return;
      case token_kind::start_tag:
        if (t.name == "html") return in_body(t);
        break;
      case token_kind::end_tag:
        if (t.name == "html") {
          mode_ = mode::after_after_body;
          return;
        }
        break;
      case token_kind::eof:
        stopped_ = true;
        return;
    }
    doc_.add_error();
    mode_ = mode::in_body;
    process(t);
  }

  // Frameset documents keep only whitespace text.
  void insert_ws_only(std::string_view data) {
    std::string ws;
    for (char c : data)
      if (is_ws(c)) ws += c;
    if (ws.size() != data.size()) doc_.add_error();
    insert_characters(ws);
  }

  void in_frameset(const token& t) {
    tag tk = t.kind == token_kind::start_tag || t.kind == token_kind::end_tag ? tag_of_token(t)
                                                                              : tag::none;
    switch (t.kind) {
      case token_kind::characters:
        return insert_ws_only(t.data);
      case token_kind::comment:
        return insert_comment(t);
      case token_kind::doctype:
        doc_.add_error();
        return;
      case token_kind::start_tag:
        if (tk == tag::html) return in_body(t);
        if (tk == tag::frameset) {
          insert_element(t);
          return;
        }
        if (tk == tag::frame) {
          insert_element(t);
          pop_inserted();
          return;
        }
        if (tk == tag::noframes) return in_head(t);
        break;
      case token_kind::end_tag:
        if (tk == tag::frameset) {
          if (open_.size() <= 1) {
            doc_.add_error();
            return;
          }
          pop();
          if (!cur_is(tag::frameset)) mode_ = mode::after_frameset;
          return;
        }
        break;
      case token_kind::eof:
        stopped_ = true;
        return;
    }
    doc_.add_error();
  }

  void after_frameset(const token& t) {
    tag tk = t.kind == token_kind::start_tag || t.kind == token_kind::end_tag ? tag_of_token(t)
                                                                              : tag::none;
    switch (t.kind) {
      case token_kind::characters:
        return insert_ws_only(t.data);
      case token_kind::comment:
        return insert_comment(t);
      case token_kind::doctype:
        doc_.add_error();
        return;
      case token_kind::start_tag:
        if (tk == tag::html) return in_body(t);
        if (tk == tag::noframes) return in_head(t);
        break;
      case token_kind::end_tag:
        if (tk == tag::html) {
          mode_ = mode::after_after_frameset;
          return;
        }
        break;
      case token_kind::eof:
        stopped_ = true;
        return;
    }
    doc_.add_error();
  }

  void after_after_body(const token& t) {
    switch (t.kind) {
      case token_kind::comment:
        return insert_comment(t, document::root());
      case token_kind::doctype:
        return in_body(t);
      case token_kind::characters: {
        token rest = split_ws(t, [this](std::string_view ws) {
          token w;
          w.kind = token_kind::characters;
          w.data = ws;
          in_body(w);
        });
        if (rest.data.empty()) return;
        doc_.add_error();
        mode_ = mode::in_body;
        return process(rest);
      }
      case token_kind::start_tag:
        if (t.name == "html") return in_body(t);
        break;
      case token_kind::eof:
        stopped_ = true;
        return;
      default:
        break;
    }
    doc_.add_error();
    mode_ = mode::in_body;
    process(t);
  }

  void after_after_frameset(const token& t) {
    switch (t.kind) {
      case token_kind::comment:
        return insert_comment(t, document::root());
      case token_kind::doctype:
        return in_body(t);
      case token_kind::characters: {
        std::size_t k = ws_prefix(t.data);
        if (k > 0) {
          token w = t;
          w.data = t.data.substr(0, k);
          in_body(w);
        }
        if (k < t.data.size()) doc_.add_error();
        return;
      }
      case token_kind::start_tag:
        if (t.name == "html") return in_body(t);
        if (t.name == "noframes") return in_head(t);
        break;
      case token_kind::eof:
        stopped_ = true;
        return;
      default:
        break;
    }
    doc_.add_error();
  }

  void foreign(const token& t) {
    switch (t.kind) {
      case token_kind::characters: {
        std::string buf;
        std::string_view data = without_nul(t, buf, true);
        insert_characters(data);
        // NUL turned U+FFFD does not clear frameset-ok; any other non-whitespace does.
        for (char c : t.data)
          if (c != '\0' && !is_ws(c)) frameset_ok_ = false;
        return;
      }
      case token_kind::comment:
        return insert_comment(t);
      case token_kind::doctype:
        doc_.add_error();
        return;
      case token_kind::start_tag: {
        tag tk = tag_of_token(t);
        bool breakout = false;
        switch (tk) {
          using enum tag;
          case b:
          case big:
          case blockquote:
          case body:
          case br:
          case center:
          case code:
          case dd:
          case div:
          case dl:
          case dt:
          case em:
          case embed:
          case h1:
          case h2:
          case h3:
          case h4:
          case h5:
          case h6:
          case head:
          case hr:
          case i:
          case img:
          case li:
          case listing:
          case menu:
          case meta:
          case nobr:
          case ol:
          case p:
          case pre:
          case ruby:
          case s:
          case small:
          case span:
          case strong:
          case strike:
          case sub:
          case sup:
          case table:
          case tt:
          case u:
          case ul:
          case var:
            breakout = true;
            break;
          case font:
            breakout = attr_of(t, "color") || attr_of(t, "face") || attr_of(t, "size");
            break;
          default:
            break;
        }
        if (breakout) return break_out_of_foreign(t);
        insert_foreign(t, doc_.ns(adjusted_current()));
        return;
      }
      case token_kind::end_tag: {
        if (open_.empty()) return;
        // </br> and </p> leave foreign content like the breakout start tags (the standard
        // since 2020; browsers do the same), so they close the SVG instead of landing in it.
        tag tk = tag_of_token(t);
        if (tk == tag::br || tk == tag::p) return break_out_of_foreign(t);
        std::size_t i = open_.size() - 1;
        node_id n = open_[i];
        auto lower_equals = [&](node_id x) { return iequals(doc_.name(x), t.name); };
        if (!lower_equals(n)) doc_.add_error();
        for (;;) {
          if (i == 0) return;
          if (lower_equals(n)) {
            pop_until_node(n);
            return;
          }
          --i;
          n = open_[i];
          if (doc_.ns(n) == name_space::html) return process(t);
        }
      }
      case token_kind::eof:
        return process(t);
    }
  }

  void break_out_of_foreign(const token& t) {
    doc_.add_error();
    while (!open_.empty()) {
      node_id n = current();
      if (doc_.ns(n) == name_space::html || is_mathml_text_ip(n) || is_html_ip(n)) break;
      pop();
    }
    process(t);
  }

  void reset_insertion_mode() {
    for (std::size_t i = open_.size(); i-- > 0;) {
      node_id n = open_[i];
      bool last = i == 0;
      tag t = doc_.ns(n) == name_space::html ? doc_.tag_of(n) : tag::none;
      switch (t) {
        case tag::select: {
          if (!last) {
            for (std::size_t j = i; j-- > 0;) {
              if (doc_.is_html(open_[j], tag::template_)) break;
              if (doc_.is_html(open_[j], tag::table)) {
                mode_ = mode::in_select_in_table;
                return;
              }
            }
          }
          mode_ = mode::in_select;
          return;
        }
        case tag::td:
        case tag::th:
          if (!last) {
            mode_ = mode::in_cell;
            return;
          }
          break;
        case tag::tr:
          mode_ = mode::in_row;
          return;
        case tag::tbody:
        case tag::thead:
        case tag::tfoot:
          mode_ = mode::in_table_body;
          return;
        case tag::caption:
          mode_ = mode::in_caption;
          return;
        case tag::colgroup:
          mode_ = mode::in_column_group;
          return;
        case tag::table:
          mode_ = mode::in_table;
          return;
        case tag::template_:
          mode_ = template_modes_.empty() ? mode::in_body : template_modes_.back();
          return;
        case tag::head:
          if (!last) {
            mode_ = mode::in_head;
            return;
          }
          break;
        case tag::body:
          mode_ = mode::in_body;
          return;
        case tag::frameset:
          mode_ = mode::in_frameset;
          return;
        case tag::html:
          mode_ = head_ == no_node ? mode::before_head : mode::after_head;
          return;
        default:
          break;
      }
      if (last) break;
    }
    mode_ = mode::in_body;
  }

  document doc_;
  tokenizer tok_;
  parse_options opt_;
  std::vector<node_id> open_;
  std::vector<node_id> fmt_;  // no_node entries are markers
  std::vector<mode> template_modes_;
  std::string pending_text_;
  mode mode_ = mode::initial;
  mode original_ = mode::initial;
  node_id head_ = no_node;
  node_id form_ = no_node;
  bool frameset_ok_ = true;
  bool foster_ = false;
  bool skip_lf_ = false;
  bool stopped_ = false;
  bool depth_capped_ = false;
  bool cdata_allowed_ = false;  // as last told to the tokenizer (which starts with false)
  int reprocess_depth_ = 0;
  std::string_view token_tag_name_;
  tag token_tag_ = tag::none;
};

}  // namespace

document parse(std::string_view html, const parse_options& options) {
  builder b(html, options);
  return b.run();
}

}  // namespace lapwise::html
