// report_json: the open-loop lateness blocks and the CPU utilisation are in the report, with
// the counts of their histograms, and utilisation is CPU per wall second.
#include "lapwise/load/report_json.h"

#include <gtest/gtest.h>

#include <sstream>

namespace lapwise::load {
namespace {

TEST(ReportJson, CarriesLatenessAndUtilisation) {
  config cfg;
  cfg.port = 80;
  cfg.rate = 1000;
  cfg.requests.emplace_back();
  report rep;
  for (int i = 1; i <= 4; ++i) {
    rep.send_lateness_ns.record(1000 * i);
    rep.loadgen_lateness_ns.record(500);
  }
  rep.response_ns.record(20'000);
  rep.cpu_user_s = 0.5;
  rep.cpu_system_s = 1.0;
  rep.wall_s = 2.0;
  EXPECT_DOUBLE_EQ(cpu_utilisation(rep), 0.75);
  std::ostringstream out;
  write_json(out, cfg, rep);
  const std::string json = out.str();
  EXPECT_NE(json.find("\"send_lateness_us\": {\"count\": 4, \"p50\": 2, "), std::string::npos)
      << json;
  EXPECT_NE(json.find("\"loadgen_lateness_us\": {\"count\": 4, \"p50\": 0.5, "), std::string::npos);
  EXPECT_NE(json.find("\"response_us\": {\"count\": 1, \"p50\": 20, "), std::string::npos);
  EXPECT_NE(json.find("\"wall_s\": 2, \"utilisation\": 0.75}"), std::string::npos);
  EXPECT_NE(json.find("\"pace_gap_us\": 50"), std::string::npos);
  report empty;
  EXPECT_EQ(cpu_utilisation(empty), 0.0) << "no wall time: no division by zero";
}

}  // namespace
}  // namespace lapwise::load
