// The vector scanners, written once over a small set of vector operations `V` (width, load,
// byte compare, or, movemask, broadcast). text_scan_sse42.cc and text_scan_avx2.cc include this
// inside their target region and an unnamed namespace, so each gets its own instruction set.
// No include guard on purpose: every includer needs its own copy.

template <class V>
struct vector_scan {
  // Bytes that stop scanner Which, one at a time: for inputs shorter than a vector.
  template <int Which>
  static const char* slow(const char* p, const char* end) noexcept {
    while (p < end && !(stops.bits[static_cast<unsigned char>(*p)] & (1u << Which))) ++p;
    return p;
  }

  // The bytes among C... (and NUL) in the vector at p, as a bit mask.
  template <char... C>
  static std::uint32_t hits(const char* p) noexcept {
    auto v = V::load(p);
    auto m = V::eq(v, V::splat(0));
    ((m = V::either(m, V::eq(v, V::splat(C)))), ...);
    return V::mask(m);
  }

  // Whole vectors, then one last vector that overlaps bytes already known not to stop
  // (cheaper than a byte loop).
  template <int Which, char... C>
  static const char* scan(const char* p, const char* end) noexcept {
    if (end - p < V::width) return slow<Which>(p, end);
    for (; end - p >= V::width; p += V::width) {
      if (std::uint32_t m = hits<C...>(p)) return p + __builtin_ctz(m);
    }
    if (p == end) return end;
    const char* last = end - V::width;
    std::uint32_t m = hits<C...>(last);
    return m ? last + __builtin_ctz(m) : end;
  }

  static constexpr text_scanners table() {
    return {scan<0, '<', '&', '\r'>, scan<1, '<', '\r'>,       scan<2, '\r'>,
            scan<3, '"', '&', '\r'>, scan<4, '\'', '&', '\r'>, scan<5, '-', '<', '\r'>};
  }
};
