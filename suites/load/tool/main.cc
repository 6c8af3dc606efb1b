// lapwise-load: an HTTP/1.1 load generator for loopback servers (closed and open loop).
// See driver.h for the model and report_json.h for the output. Exit status: 0 when the load
// ran (errors are in the report), 2 on a usage error, 1 when the run could not start.
#include <fstream>
#include <iostream>
#include <string_view>
#include <vector>

#include "lapwise/load/driver.h"
#include "lapwise/load/options.h"
#include "lapwise/load/report_json.h"

int main(int argc, char** argv) {
  using namespace lapwise::load;
  std::vector<std::string_view> args(argv + 1, argv + argc);
  parsed_options parsed = parse_options(args);
  if (parsed.opts.help) {
    std::cout << usage();
    return 0;
  }
  if (!parsed.error.empty()) {
    std::cerr << "lapwise-load: " << parsed.error << "\n\n" << usage();
    return 2;
  }
  const options& o = parsed.opts;
  std::string error;
  const report rep = run(o.cfg, error);
  if (!error.empty()) {
    std::cerr << "lapwise-load: " << error << '\n';
    return 1;
  }
  if (!o.quiet) write_summary(std::cerr, o.cfg, rep);
  if (o.output.empty()) {
    write_json(std::cout, o.cfg, rep);
    return std::cout.good() ? 0 : 1;
  }
  std::ofstream out(o.output);
  write_json(out, o.cfg, rep);
  out.close();
  if (!out) {
    std::cerr << "lapwise-load: cannot write " << o.output << '\n';
    return 1;
  }
  return 0;
}
