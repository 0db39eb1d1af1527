// Storage::Impl and the helpers that storage.cc and writer.cc share.
// Internal: not part of the public API; shared by storage.cc and writer.cc.
// Include it from nowhere else.
#pragma once

#include <lmdb.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "storage/storage.h"
#include "storage/table_def_cache.h"
#include "storage/undo_log.h"

namespace ddb {
namespace storage_internal {

// Logs a storage failure the client is told about, rate-limited (see
// kFailureLogInterval in storage.cc).
void LogStorageFailure(const std::string& message);

// The message of a write that fails because the database is full.
std::string FullMessage(uint64_t limit);

// Throws for a failed LMDB call. A full map or a failing disk is the
// client's business (its write did not happen, and it can act on the
// message), so it becomes an InternalServerError ApiError; anything else is
// a bug or corruption and stays a runtime_error. `env`, when known, lets the
// message state the map size.
void Check(int rc, const char* what, MDB_env* env = nullptr);

}  // namespace storage_internal

struct Storage::Impl {
  struct Job {
    std::function<void(Txn&)> work;
    std::function<void(std::exception_ptr)> done;
    WriteScope scope = WriteScope::kShared;
  };

  StorageOptions options;
  Storage* owner = nullptr;
  MDB_env* env = nullptr;
  MDB_dbi catalog = 0;
  MDB_dbi stats = 0;
  MDB_dbi items = 0;
  MDB_dbi indexes = 0;
  MDB_dbi meta = 0;
  // kFast on disk: commits are flushed by the writer at most every
  // kFastSyncInterval instead of on each commit.
  bool periodic_sync = false;
  // options.map_size, where Check finds it through the env's user context.
  uint64_t size_limit = 0;
  // The same limit in pages (of page_size bytes).
  uint64_t limit_pages = 0;
  uint64_t page_size = 4096;

  std::mutex mu;
  std::condition_variable cv;
  std::deque<Job> queue;  // guarded by mu
  bool stopping = false;  // guarded by mu
  // A thread holds the write role: it alone runs queued jobs (guarded by mu).
  bool writing = false;
  // When commits do not wait for the disk (fast and in-memory modes), the
  // thread that submits a write to an idle queue runs it itself instead of
  // waking the writer thread: on a busy core the two context switches per
  // write cost more than the write (issue 8's profile: 37 % of UpdateItem in
  // the kernel, mostly switching). Durable mode keeps every fsync on the
  // writer thread, so no I/O thread ever blocks on the disk.
  bool caller_runs = false;
  // A run of the queue is deferred on the submitting thread's event loop
  // (core/deferral.h) and holds the write role until it runs, or until
  // Shutdown takes the role back for the writer thread (guarded by mu).
  bool deferred = false;
  std::thread writer;
  std::thread::id writer_id;

  // Commits not yet flushed in kFast mode on disk; set by whichever thread
  // commits, cleared by the writer thread's periodic sync.
  std::atomic<bool> unsynced{false};
  // Writer thread only.
  std::chrono::steady_clock::time_point last_sync;
  // RunSharedBatch's, kept between batches for its buffers; only the
  // holder of the write role touches it.
  UndoLog undo;
  // Decoded catalog entries, for every thread's GetTable.
  TableDefCache table_defs;

  ~Impl() {
    if (env != nullptr) mdb_env_close(env);
  }

  void WriterLoop();
  // Runs `job`, or a batch starting with it, on the calling thread, which
  // holds the write role; then what was queued meanwhile, for a few rounds;
  // then gives the role up (to the writer thread if jobs remain).
  void RunAsCaller(Job job, bool more_queued);
  // The deferred run: takes the write role and runs the queue as a caller,
  // unless Shutdown has taken the role back meanwhile.
  void RunDeferred();
  // After a commit: note it for the periodic sync.
  void MarkUnsynced();
  // Pops the next queued job, if any, unless it is a kOwn job (which ends
  // a batch and runs alone).
  bool PopJob(Job* job);
  // Runs `job` alone, or a batch starting with it when `more_queued`.
  void RunJobs(Job& job, bool more_queued);
  // Runs `first` alone in its own write transaction.
  void RunSingle(Job& first);
  // Whether LMDB's map has room for a shared batch to grow in (writer.cc).
  bool SharedBatchHasRoom() const;
  // Run `first` and as many queued jobs as the batch bounds allow in one
  // write transaction: sharing it, each job with an undo log, or each in a
  // nested transaction of its own.
  void RunSharedBatch(Job& first);
  void RunNestedBatch(Job& first);
  // A job of a batch and its own outcome.
  struct Ran {
    Job job;
    std::exception_ptr error;
  };
  // Begins a batch's write transaction; when LMDB refuses, fails `first`
  // with the error and returns nullptr.
  MDB_txn* BeginBatch(Job& first);
  // Commits the batch (aborts it when `batch_error` is set), then gives each
  // job its outcome: its own error, or the batch's (a failed commit too).
  void EndBatch(MDB_txn* txn, std::vector<Ran>& ran,
                std::exception_ptr batch_error);
  static void Finish(Job& job, std::exception_ptr error);
  void MaybeSync(bool force);
  // Pages holding data (the B-trees of every database) as `txn` sees them.
  uint64_t LivePages(MDB_txn* txn) const;
  // Runs a job's closure, refusing it if it grew the data past the limit.
  void RunWork(Job& job, Txn& txn) const;
};

}  // namespace ddb
