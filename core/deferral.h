// Deferral: how an event-loop thread lets work started by one event run
// after the other events at hand.
//
// Why: on a loaded single core, the HTTP I/O thread that receives a write
// used to run it at once, so every write paid a whole LMDB commit (its page
// writes, meta page and free-list work) even when 30 more writes had arrived
// in the same epoll round. Storage instead claims the write role, queues the
// write and defers the run through this hook; the writes that the rest of the
// round submits queue behind it, and the deferred run commits them together
// (Storage::SubmitWrite). A thread without a deferrer (tests, tools) runs
// writes at once as before.
#pragma once

#include <functional>

namespace ddb {

// Schedules `work` to run soon on the same event loop (not inline).
using Deferrer = std::function<void(std::function<void()>)>;

// The calling thread's deferrer, or nullptr when it has none.
const Deferrer* ThreadDeferrer();

// Installs a deferrer for the calling thread for the object's lifetime.
class ScopedThreadDeferrer {
 public:
  explicit ScopedThreadDeferrer(Deferrer deferrer);
  ~ScopedThreadDeferrer();
  ScopedThreadDeferrer(const ScopedThreadDeferrer&) = delete;
  ScopedThreadDeferrer& operator=(const ScopedThreadDeferrer&) = delete;

 private:
  Deferrer deferrer_;
  const Deferrer* previous_;
};

}  // namespace ddb
