// UndoLog: the prior state of every key one write job changed, so that the
// job can be rolled back inside a transaction it shares with other jobs.
//
// Group commit (writer.cc) runs many jobs in one LMDB write transaction. A
// job that fails must leave no trace while the others' changes stay. LMDB's
// own tool for that, a nested transaction per job, copies every B-tree page
// the job touches and merges its dirty-page list into the parent's on
// commit: in issue 8's profile that was a quarter of UpdateItem's and
// PutItem's CPU. The undo log instead copies only what a job overwrites or
// deletes, and puts it back should the job fail, which is rare.
#pragma once

#include <lmdb.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ddb {

class UndoLog {
 public:
  // Before `key` in `dbi` changes: its value then, or nullptr when it had
  // none. Record the same key again after later changes freely: a rollback
  // applies the records newest first, so the oldest one wins.
  void Record(MDB_dbi dbi, std::string_view key, const std::string_view* old);

  // Puts every recorded key back as it was, newest record first, then
  // clears the log. Throws (storage_internal::Check) on an LMDB failure,
  // after which the transaction cannot be committed (the caller marks the
  // log broken).
  void Rollback(MDB_txn* txn);

  // Whether `key` is changing for the first time in this job, by the
  // callers that ask: those may then record it only once (its oldest value
  // is the one a rollback needs). Meant for the few short keys that every
  // item write changes (a table's stats).
  bool FirstChange(MDB_dbi dbi, std::string_view key);

  // Forgets the records (the job succeeded, or was rolled back).
  void Clear();
  // Ready for a new batch: no records, not broken, nothing written. The
  // buffers are kept for the next batch unless a large job grew them.
  void Reset();
  bool empty() const { return records_.empty(); }

  // A write failed in LMDB (the map or the transaction is full, say), which
  // leaves the whole transaction unusable: no rollback can repair it.
  void MarkBroken() { broken_ = true; }
  bool broken() const { return broken_; }

  // Bytes of keys and values written since the log was made, across Clear:
  // the group-commit batch's size, which writer.cc bounds.
  void AddWritten(size_t bytes) { written_ += bytes; }
  uint64_t written() const { return written_; }

 private:
  struct Entry {
    MDB_dbi dbi;
    bool existed;
    size_t offset;  // of the key, then the old value, in data_
    size_t key_size;
    size_t value_size;
  };
  std::vector<Entry> records_;
  std::string data_;
  std::vector<std::pair<MDB_dbi, std::string>> changed_once_;
  bool broken_ = false;
  uint64_t written_ = 0;
};

}  // namespace ddb
