// lapwise::html tag atoms: the element names the tree builder and the serialiser reason about,
// as a dense enum so that "is this a <p>?" is one integer compare. Names outside this list are
// interned per document (atoms from `tag_count` up), so every element name is one 32-bit atom.
// The same atom serves every namespace: <title> in SVG and in HTML share `tag::title`; the
// node's namespace tells them apart.
#pragma once

#include <cstdint>
#include <string_view>

namespace lapwise::html {

// X-macro: (enum name, element name). Sorted by nothing in particular; lookup is a hash table.
// clang-format off
#define LAPWISE_HTML_TAGS(X) \
  X(a, "a") X(abbr, "abbr") X(address, "address") X(applet, "applet") X(area, "area") \
  X(article, "article") X(aside, "aside") X(audio, "audio") X(b, "b") X(base, "base") \
  X(basefont, "basefont") X(bdi, "bdi") X(bdo, "bdo") X(bgsound, "bgsound") X(big, "big") \
  X(blockquote, "blockquote") X(body, "body") X(br, "br") X(button, "button") \
  X(canvas, "canvas") X(caption, "caption") X(center, "center") X(cite, "cite") \
  X(code, "code") X(col, "col") X(colgroup, "colgroup") X(data, "data") \
  X(datalist, "datalist") X(dd, "dd") X(del, "del") X(details, "details") X(dfn, "dfn") \
  X(dialog, "dialog") X(dir, "dir") X(div, "div") X(dl, "dl") X(dt, "dt") X(em, "em") \
  X(embed, "embed") X(fieldset, "fieldset") X(figcaption, "figcaption") X(figure, "figure") \
  X(font, "font") X(footer, "footer") X(form, "form") X(frame, "frame") \
  X(frameset, "frameset") X(h1, "h1") X(h2, "h2") X(h3, "h3") X(h4, "h4") X(h5, "h5") \
  X(h6, "h6") X(head, "head") X(header, "header") X(hgroup, "hgroup") X(hr, "hr") \
  X(html, "html") X(i, "i") X(iframe, "iframe") X(image, "image") X(img, "img") \
  X(input, "input") X(ins, "ins") X(kbd, "kbd") X(keygen, "keygen") X(label, "label") \
  X(legend, "legend") X(li, "li") X(link, "link") X(listing, "listing") X(main, "main") \
  X(map, "map") X(mark, "mark") X(marquee, "marquee") X(math, "math") X(menu, "menu") \
  X(meta, "meta") X(meter, "meter") X(nav, "nav") X(nobr, "nobr") X(noembed, "noembed") \
  X(noframes, "noframes") X(noscript, "noscript") X(object, "object") X(ol, "ol") \
  X(optgroup, "optgroup") X(option, "option") X(output, "output") X(p, "p") \
  X(param, "param") X(picture, "picture") X(plaintext, "plaintext") X(pre, "pre") \
  X(progress, "progress") X(q, "q") X(rb, "rb") X(rp, "rp") X(rt, "rt") X(rtc, "rtc") \
  X(ruby, "ruby") X(s, "s") X(samp, "samp") X(script, "script") X(search, "search") \
  X(section, "section") X(select, "select") X(slot, "slot") X(small, "small") \
  X(source, "source") X(span, "span") X(strike, "strike") X(strong, "strong") \
  X(style, "style") X(sub, "sub") X(summary, "summary") X(sup, "sup") X(svg, "svg") \
  X(table, "table") X(tbody, "tbody") X(td, "td") X(template_, "template") \
  X(textarea, "textarea") X(tfoot, "tfoot") X(th, "th") X(thead, "thead") X(time, "time") \
  X(title, "title") X(tr, "tr") X(track, "track") X(tt, "tt") X(u, "u") X(ul, "ul") \
  X(var, "var") X(video, "video") X(wbr, "wbr") X(xmp, "xmp") \
  X(annotation_xml, "annotation-xml") X(desc, "desc") X(foreign_object, "foreignObject") \
  X(mi, "mi") X(mn, "mn") X(mo, "mo") X(ms, "ms") X(mtext, "mtext") \
  X(malignmark, "malignmark") X(mglyph, "mglyph")

enum class tag : std::uint32_t {
  none = 0,  // not an element (text, comment, document, doctype)
#define LAPWISE_HTML_TAG_ENUM(e, s) e,
  LAPWISE_HTML_TAGS(LAPWISE_HTML_TAG_ENUM)
#undef LAPWISE_HTML_TAG_ENUM
  count  // first atom of a document's interned names
};
// clang-format on

using atom = std::uint32_t;
inline constexpr atom tag_count = static_cast<atom>(tag::count);

// The atom of a known name (exact, case-sensitive: callers lowercase HTML names first), or
// tag::none when the name is not in the table.
tag lookup_tag(std::string_view name) noexcept;
// The name of a known atom ("" for none/count and interned atoms).
std::string_view tag_name(tag t) noexcept;

}  // namespace lapwise::html
