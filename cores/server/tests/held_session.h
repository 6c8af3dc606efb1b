// A sans-IO session whose handler requests are held for the test (in `ready`), with its
// responder: answers go back to the session, the peer and local addresses are fixed.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "lapwise/server/session.h"

namespace lapwise::server {

struct held_session : detail::responder {
  held_session(config cfg, route_table routes, const char* date) {
    svc = std::make_unique<service>(std::move(cfg), std::move(routes));
    s = std::make_unique<session>(*svc, *this, ready, date);
  }
  void complete(request& r, response&& resp) noexcept override { s->complete(r, std::move(resp)); }
  void read_body(request& r) noexcept override { s->read_body(r); }
  void addresses(net_address& peer, net_address& local) noexcept override {
    peer = {"10.0.0.1", 5000};
    local = {"10.0.0.2", 80};
  }
  // Everything written so far, consumed.
  std::string out() {
    std::string o;
    while (!s->output().empty()) {
      o += s->output();
      s->consume(s->output().size());
    }
    return o;
  }
  std::unique_ptr<service> svc;
  std::unique_ptr<session> s;
  std::vector<request*> ready;
};

}  // namespace lapwise::server
