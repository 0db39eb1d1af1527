// Storage's write path: the writer thread, writes run on the submitting
// thread, and group commit (see storage.h).
#include <lmdb.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <future>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "core/api_error.h"
#include "core/deferral.h"
#include "storage/storage.h"
#include "storage/storage_impl.h"
#include "storage/undo_log.h"

namespace ddb {
namespace {

using storage_internal::Check;
using storage_internal::FullMessage;
using storage_internal::LogStorageFailure;

// Under a kFast environment, how long a commit may sit in the page cache
// before the writer flushes it.
constexpr auto kFastSyncInterval = std::chrono::seconds(1);

}  // namespace

// ---- Impl: the writer -------------------------------------------------------

// The size limit applies to the data, not to LMDB's map: the map has room
// beyond it (see Open) for the copy-on-write pages every transaction needs
// and for pages freed too recently to reuse. A write that would grow the data
// past the limit fails here, before LMDB itself runs out of map, so that
// deletes, which shrink the data, still find the pages they need once the
// database is full.
void Storage::Impl::RunWork(Job& job, Txn& txn) const {
  const uint64_t before = LivePages(txn.raw());
  job.work(txn);
  const uint64_t after = LivePages(txn.raw());
  if (after > before && after > limit_pages) {
    std::string message = FullMessage(size_limit);
    LogStorageFailure("write refused: " + message);
    throw ApiError::Internal(std::move(message));
  }
}

namespace {

// Group commit bound on jobs per batch (StorageOptions::max_batch_time is
// the other).
constexpr size_t kMaxBatchJobs = 64;

// A shared batch (RunSharedBatch) stops once its jobs wrote this many bytes
// of keys and values, and starts only with kSharedBatchHeadroom of LMDB's
// map unused: room for those bytes, the one job that crosses the bound (at
// most ~40 MB: 100 items of 400 KB in a TransactWriteItems), and the
// copy-on-write pages of all of it, so that the map cannot fill mid-batch.
constexpr uint64_t kMaxSharedBatchBytes = uint64_t{64} << 20;
constexpr uint64_t kSharedBatchHeadroom = uint64_t{1} << 30;

}  // namespace

void Storage::Impl::WriterLoop() {
  last_sync = std::chrono::steady_clock::now();
  while (true) {
    Job job;
    bool more_queued = false;
    {
      std::unique_lock<std::mutex> lock(mu);
      // Jobs are ours only while no caller holds the write role. Wake at the
      // sync interval while commits are unflushed.
      auto ready = [&] {
        return stopping || (!queue.empty() && !writing && !deferred);
      };
      if (unsynced.load()) {
        cv.wait_for(lock, kFastSyncInterval, ready);
      } else {
        cv.wait(lock, ready);
      }
      if (queue.empty() || writing || deferred) {
        if (stopping) {
          // A caller still writing finishes (and may queue more) first.
          if (!writing && queue.empty()) break;
          cv.wait(lock, [&] { return !writing; });
          continue;
        }
        lock.unlock();
        MaybeSync(false);
        continue;
      }
      job = std::move(queue.front());
      queue.pop_front();
      more_queued = !queue.empty();
      writing = true;
    }
    RunJobs(job, more_queued);
    {
      std::lock_guard<std::mutex> lock(mu);
      writing = false;
    }
    MaybeSync(false);
  }
  MaybeSync(true);
}

namespace {
// True on a thread while it holds the write role as a caller (RunAsCaller):
// a completion that submits another write then queues it for the loop there.
thread_local bool t_writing_as_caller = false;
}  // namespace

void Storage::Impl::RunAsCaller(Job job, bool more_queued) {
  t_writing_as_caller = true;
  // Bounded, so that one submitter does not serve everyone else's writes
  // for long; the writer thread takes over what is left.
  constexpr int kMaxRounds = 4;
  for (int round = 0;; ++round) {
    RunJobs(job, more_queued);
    std::lock_guard<std::mutex> lock(mu);
    if (queue.empty() || round + 1 >= kMaxRounds || stopping) {
      writing = false;
      if (!queue.empty() || stopping) cv.notify_all();
      break;
    }
    job = std::move(queue.front());
    queue.pop_front();
    more_queued = !queue.empty();
  }
  t_writing_as_caller = false;
}

void Storage::Impl::RunDeferred() {
  Job job;
  bool more_queued = false;
  {
    std::lock_guard<std::mutex> lock(mu);
    // Shutdown took the role back (the writer thread drains the queue).
    if (!deferred) return;
    deferred = false;
    if (queue.empty()) return;  // cannot happen: the deferring job is queued
    job = std::move(queue.front());
    queue.pop_front();
    more_queued = !queue.empty();
    writing = true;
  }
  RunAsCaller(std::move(job), more_queued);
}

void Storage::Impl::MarkUnsynced() {
  if (!periodic_sync) return;
  // The first unflushed commit makes the writer thread wait with a timeout.
  if (!unsynced.exchange(true)) {
    std::lock_guard<std::mutex> lock(mu);
    cv.notify_all();
  }
}

bool Storage::Impl::PopJob(Job* job) {
  std::lock_guard<std::mutex> lock(mu);
  // A kOwn job waits at the front for the next round, which runs it alone.
  if (queue.empty() || queue.front().scope == WriteScope::kOwn) return false;
  *job = std::move(queue.front());
  queue.pop_front();
  return true;
}

void Storage::Impl::Finish(Job& job, std::exception_ptr error) {
  if (!job.done) return;
  try {
    job.done(error);
  } catch (const std::exception& e) {
    // The writer must survive a misbehaving callback.
    spdlog::error("storage: write completion threw: {}", e.what());
  } catch (...) {
    spdlog::error("storage: write completion threw");
  }
}

void Storage::Impl::RunSingle(Job& job) {
  std::exception_ptr error;
  try {
    MDB_txn* raw = nullptr;
    Check(mdb_txn_begin(env, nullptr, 0, &raw), "begin write transaction", env);
    Txn txn(owner, raw, /*writable=*/true);
    RunWork(job, txn);
    // mdb_txn_commit frees the transaction even when it fails.
    txn.txn_ = nullptr;
    Check(mdb_txn_commit(raw), "commit", env);
    MarkUnsynced();
  } catch (...) {
    error = std::current_exception();
  }
  Finish(job, error);
}

void Storage::Impl::RunJobs(Job& job, bool more_queued) {
  // A lone job costs exactly one commit however it runs, so it takes the
  // cheapest path, as does a kOwn job, whatever waits behind it.
  if (!more_queued || job.scope == WriteScope::kOwn) {
    RunSingle(job);
  } else if (SharedBatchHasRoom()) {
    RunSharedBatch(job);
  } else {
    RunNestedBatch(job);
  }
}

// Group commit, either way: later jobs see what earlier ones wrote, just as
// if each had committed on its own in queue order. The batch then commits
// once (one fdatasync in durable mode), and only then does any job learn its
// outcome: a success is never reported before it is as durable as the mode
// promises, and neither is a failure that was decided on data of the same
// uncommitted batch (a condition that failed because of an earlier job's
// write). If the commit fails, every job of the batch gets that error: none
// of it happened.

bool Storage::Impl::SharedBatchHasRoom() const {
  MDB_envinfo info;
  if (mdb_env_info(env, &info) != MDB_SUCCESS) return false;
  const uint64_t map_pages = info.me_mapsize / page_size;
  const uint64_t used_pages = static_cast<uint64_t>(info.me_last_pgno) + 1;
  return used_pages < map_pages &&
         (map_pages - used_pages) * page_size >= kSharedBatchHeadroom;
}

// Each job runs directly in the batch's transaction, its changes recorded in
// an undo log; a job that throws is rolled back from the log, and the batch
// goes on. What the log cannot repair is an LMDB failure inside the
// transaction (a full map, say), which leaves it unusable: then the whole
// batch fails with that error. SharedBatchHasRoom keeps the map from filling
// within a batch: the batch starts only with kSharedBatchHeadroom of map
// left and stops once its jobs wrote kMaxSharedBatchBytes.
void Storage::Impl::RunSharedBatch(Job& first) {
  MDB_txn* txn = BeginBatch(first);
  if (txn == nullptr) return;
  std::vector<Ran> ran;
  std::exception_ptr batch_error;
  const auto start = std::chrono::steady_clock::now();
  undo.Reset();
  Job job = std::move(first);
  while (true) {
    std::exception_ptr error;
    {
      Txn job_txn(owner, txn, /*writable=*/true, &undo);
      try {
        RunWork(job, job_txn);
      } catch (...) {
        error = std::current_exception();
      }
      job_txn.txn_ = nullptr;  // the batch's, not the job's, to end
    }
    if (error && !undo.empty() && !undo.broken()) {
      try {
        undo.Rollback(txn);
      } catch (...) {
        // Half undone: the transaction must not commit (handled below).
        undo.MarkBroken();
      }
    }
    undo.Clear();
    ran.push_back({std::move(job), error});
    if (undo.broken()) {
      // Includes a job that swallowed the failure and returned.
      batch_error = error ? error
                          : std::make_exception_ptr(ApiError::Internal(
                                "The write could not be completed: the "
                                "storage engine failed"));
      break;
    }
    if (ran.size() >= kMaxBatchJobs || undo.written() >= kMaxSharedBatchBytes ||
        std::chrono::steady_clock::now() - start >= options.max_batch_time ||
        !PopJob(&job)) {
      break;
    }
  }
  EndBatch(txn, ran, batch_error);
}

MDB_txn* Storage::Impl::BeginBatch(Job& first) {
  MDB_txn* txn = nullptr;
  const int rc = mdb_txn_begin(env, nullptr, 0, &txn);
  if (rc == MDB_SUCCESS) return txn;
  std::exception_ptr error;
  try {
    Check(rc, "begin write transaction", env);
  } catch (...) {
    error = std::current_exception();
  }
  Finish(first, error);
  return nullptr;
}

void Storage::Impl::EndBatch(MDB_txn* txn, std::vector<Ran>& ran,
                             std::exception_ptr batch_error) {
  if (batch_error) {
    mdb_txn_abort(txn);
    spdlog::error("storage: a group commit of {} writes was abandoned",
                  ran.size());
  } else {
    try {
      Check(mdb_txn_commit(txn), "commit", env);
      MarkUnsynced();
    } catch (...) {
      batch_error = std::current_exception();
    }
  }
  for (Ran& r : ran) Finish(r.job, batch_error ? batch_error : r.error);
}

// Each job runs in a transaction nested in the batch's, so a job that throws
// aborts only its own changes, and a job whose LMDB write failed (a full
// map) fails alone. Copying every page a job touches into its nested
// transaction is dear, so this serves only when the map is nearly full
// (SharedBatchHasRoom).
void Storage::Impl::RunNestedBatch(Job& first) {
  MDB_txn* parent = BeginBatch(first);
  if (parent == nullptr) return;
  std::vector<Ran> ran;
  std::exception_ptr batch_error;
  const auto start = std::chrono::steady_clock::now();
  Job job = std::move(first);
  while (true) {
    std::exception_ptr error;
    MDB_txn* child = nullptr;
    bool merge_failed = false;
    try {
      Check(mdb_txn_begin(env, parent, 0, &child),
            "begin nested write transaction", env);
      Txn txn(owner, child, /*writable=*/true);
      try {
        RunWork(job, txn);
      } catch (...) {
        error = std::current_exception();
      }
      if (!error) {
        // Freed by mdb_txn_commit even when it fails. A failed merge may
        // leave the parent marked as failed (LMDB does so when the child
        // had an error the closure swallowed), so the batch cannot commit.
        txn.txn_ = nullptr;
        const int rc = mdb_txn_commit(child);
        if (rc != MDB_SUCCESS) {
          merge_failed = true;
          Check(rc, "commit nested transaction", env);
        }
      }
      // An aborted child (the Txn's destructor) leaves the parent as it was.
    } catch (...) {
      error = std::current_exception();
    }
    ran.push_back({std::move(job), error});
    if (merge_failed) {
      batch_error = error;
      break;
    }
    if (ran.size() >= kMaxBatchJobs ||
        std::chrono::steady_clock::now() - start >= options.max_batch_time ||
        !PopJob(&job)) {
      break;
    }
  }
  EndBatch(parent, ran, batch_error);
}

void Storage::Impl::MaybeSync(bool force) {
  if (!unsynced.load()) return;
  auto now = std::chrono::steady_clock::now();
  if (!force && now - last_sync < kFastSyncInterval) return;
  // Cleared before the sync: a commit landing during it marks again.
  unsynced.store(false);
  int rc = mdb_env_sync(env, 1);
  if (rc != MDB_SUCCESS) {
    spdlog::warn("storage: background sync failed: {}", mdb_strerror(rc));
  }
  last_sync = now;
}

// ---- Storage: writes --------------------------------------------------------

void Storage::SubmitWrite(std::function<void(Txn&)> work,
                          std::function<void(std::exception_ptr)> done,
                          WriteScope scope) {
  Submit(std::move(work), std::move(done), /*may_defer=*/true, scope);
}

void Storage::Submit(std::function<void(Txn&)> work,
                     std::function<void(std::exception_ptr)> done,
                     bool may_defer, WriteScope scope) {
  Impl& impl = *impl_;
  {
    std::unique_lock<std::mutex> lock(impl.mu);
    if (!impl.stopping) {
      if (!impl.caller_runs || impl.writing || impl.deferred ||
          !impl.queue.empty() || t_writing_as_caller) {
        impl.queue.push_back({std::move(work), std::move(done), scope});
        // Whoever holds the write role (or its deferred run) takes the
        // queue before giving the role up, so only an idle role needs the
        // writer thread woken: no futile wake-up per queued write.
        if (!impl.writing && !impl.deferred) impl.cv.notify_one();
        return;
      }
      const Deferrer* defer = may_defer ? ThreadDeferrer() : nullptr;
      if (defer != nullptr) {
        // Group commit on one busy event loop: the writes that the rest of
        // this round of ready requests submits queue behind this one, and
        // the deferred run commits them together (core/deferral.h).
        impl.queue.push_back({std::move(work), std::move(done), scope});
        impl.deferred = true;
        lock.unlock();
        (*defer)([weak = std::weak_ptr<Impl>(impl_)] {
          if (std::shared_ptr<Impl> alive = weak.lock()) alive->RunDeferred();
        });
        return;
      }
      impl.writing = true;
      lock.unlock();
      impl.RunAsCaller({std::move(work), std::move(done), scope},
                       /*more_queued=*/false);
      return;
    }
  }
  if (done) {
    done(std::make_exception_ptr(
        std::runtime_error("storage: shutting down, write rejected")));
  }
}

void Storage::WriteSync(std::function<void(Txn&)> work, WriteScope scope) {
  if (std::this_thread::get_id() == impl_->writer_id || t_writing_as_caller) {
    throw std::logic_error("storage: WriteSync called on the writer thread");
  }
  // Blocking an event loop could wait for a run deferred on that very loop.
  if (ThreadDeferrer() != nullptr) {
    throw std::logic_error("storage: WriteSync called on an event loop");
  }
  std::promise<void> finished;
  std::future<void> result = finished.get_future();
  Submit(
      std::move(work),
      [&finished](std::exception_ptr error) {
        if (error) {
          finished.set_exception(error);
        } else {
          finished.set_value();
        }
      },
      /*may_defer=*/false, scope);
  result.get();
}

void Storage::Shutdown() {
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    impl_->stopping = true;
    // A deferred run may never come (its event loop has stopped): the
    // writer thread takes the queue instead, and the run finds nothing to do.
    impl_->deferred = false;
  }
  impl_->cv.notify_all();
  // A closure calling Shutdown cannot join its own thread; the destructor
  // joins later.
  if (impl_->writer.joinable() &&
      std::this_thread::get_id() != impl_->writer_id && !t_writing_as_caller) {
    impl_->writer.join();
  }
}

}  // namespace ddb
