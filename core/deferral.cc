#include "core/deferral.h"

#include <utility>

namespace ddb {
namespace {
thread_local const Deferrer* t_deferrer = nullptr;
}  // namespace

const Deferrer* ThreadDeferrer() { return t_deferrer; }

ScopedThreadDeferrer::ScopedThreadDeferrer(Deferrer deferrer)
    : deferrer_(std::move(deferrer)), previous_(t_deferrer) {
  t_deferrer = &deferrer_;
}

ScopedThreadDeferrer::~ScopedThreadDeferrer() { t_deferrer = previous_; }

}  // namespace ddb
