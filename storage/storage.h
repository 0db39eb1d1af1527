// Storage: the LMDB environment, its transactions, and the single writer
// thread through which every write and DDL change passes.
//
// Reads run on the caller's thread in short read-only transactions
// (MDB_NOTLS, so any thread may own one); LMDB's MVCC never blocks them.
// Writes are closures run on the writer thread, in queue order. Each is
// all-or-nothing: the closure returning keeps its changes, throwing discards
// them. When several are queued the writer commits them together (group
// commit): up to 64 closures, or as many as run within about 5 ms, each in a
// transaction nested in one batch transaction, then one LMDB commit (one
// fdatasync in durable mode) for all. A closure sees the changes of the
// closures before it, committed or not, exactly as if each had committed
// alone. No closure's completion runs before its batch has committed (and,
// in durable mode, reached the disk); if the batch commit fails, every
// closure of the batch completes with that error and none of them happened.
// A lone queued closure runs in a plain transaction of its own.
//
// In the fast and in-memory modes (no fsync per commit) a closure submitted
// while no write is running runs at once on the submitting thread, with
// whatever others queue meanwhile, instead of waking the writer thread: the
// same order, batching and guarantees, without two context switches per
// write. Its completion then runs on that thread too. Durable mode always
// uses the writer thread, so no caller ever waits on the disk.
#pragma once

#include <lmdb.h>

#include <chrono>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/attribute_value.h"
#include "storage/table_def.h"

namespace ddb {

// What an acknowledged write (a SubmitWrite whose `done` got nullptr)
// survives. Either way a crash never leaves a write half-applied: an item,
// its index entries and the table statistics change in one LMDB
// transaction, and a group commit is atomic as a whole (after a crash all of
// a batch is there or none of it; writes not yet acknowledged may be either).
//
// Measured on the 2-core development VM (virtio disk shared with other
// jobs, so noisy), ~1 KB PutItems, each submitter one WriteSync after
// another (WriteThroughputTest; DYNALOCAL_WRITE_BENCH_MS=2000): durable,
// 1 submitter 160-320 writes/s (p50 1.5-5.6 ms, an fdatasync each); 8
// submitters 2.4-2.6k/s and 32 submitters 4-12k/s with group commit
// (130-170/s before it, whatever the concurrency); fast, 14-17k/s from one
// submitter (p50 ~20 us), 27-40k/s from 8 or 32 (23-30k/s before).
enum class Durability {
  // fdatasync on every commit (LMDB's default). An acknowledged write
  // survives a process crash (kill -9) and an OS crash or power loss (as far
  // as the disk honours flushes), and the file is never left corrupt.
  kDurable,
  // MDB_NOSYNC: a commit is written to the OS page cache (write(2) has
  // returned) before it is acknowledged, but not flushed. An acknowledged
  // write survives a process crash or kill -9: the kernel holds the pages
  // and writes them back. An OS crash or power loss may lose the writes of
  // about the last second (the writer flushes with mdb_env_sync about once a
  // second while commits are pending), and, since LMDB then relies on the
  // filesystem writing pages in order, which ext4 and xfs do not promise,
  // may leave the file damaged. kDurable is the choice when the data must
  // outlive the machine, not just the process.
  kFast,
};
// In-memory mode (StorageOptions::in_memory) keeps nothing beyond the
// process, whatever the durability.

struct StorageOptions {
  std::string data_dir = "./data";
  bool in_memory = false;  // nothing survives the process
  Durability durability = Durability::kFast;
  // The most data the database may hold, in bytes (--max-db-size). A write
  // that would grow the data beyond it fails with an InternalServerError
  // ApiError ("dynalocal's database is full ..."); reads, deletes and
  // writes that do not grow the data keep working. LMDB's map (virtual
  // memory, and the most the file can grow to) is a sixteenth larger, and
  // at least 2 MiB larger, for copy-on-write pages.
  uint64_t map_size = uint64_t{64} << 30;
  // Group commit: a batch closes once its jobs have run this long (or after
  // 64 jobs), so the first job of a batch is not kept waiting for its commit
  // by a long tail of later ones. Tests raise it to make batches
  // deterministic on slow (sanitizer) builds.
  std::chrono::microseconds max_batch_time{5000};
  // Fast and in-memory modes: a write submitted while none is running runs
  // on the submitting thread (see the top of this file). Tests that hold a
  // write open to queue others behind it turn this off.
  bool writes_on_caller = true;
};

class Storage;
class UndoLog;

// How a write shares its transaction under group commit (writer.cc).
enum class WriteScope {
  // Item-sized writes: many share one transaction. A job that fails is
  // undone from a log of what it changed (storage/undo_log.h), which costs
  // far less than a nested LMDB transaction per job.
  kShared,
  // Writes that may change a great deal (DeleteTable, dropping an index):
  // a transaction of their own, so that failing costs an abort rather than
  // a copy in memory of everything they deleted.
  kOwn,
};

// A transaction (read-only or read-write). Move-only; aborts on destruction
// unless committed by Storage.
class Txn {
 public:
  Txn(Txn&& other) noexcept;
  Txn& operator=(Txn&& other) = delete;
  ~Txn();

  MDB_txn* raw() const { return txn_; }
  bool writable() const { return writable_; }
  Storage& storage() const { return *storage_; }

  // ---- Catalog -----------------------------------------------------------
  // The table's definition, or null when `ns` has no table `name`.
  TableRef GetTable(std::string_view ns, std::string_view name) const;
  // Names in `ns` in ascending byte order, strictly after `start_after` (when
  // non-empty), at most `limit` of them.
  std::vector<std::string> ListTables(std::string_view ns,
                                      std::string_view start_after,
                                      size_t limit) const;
  // Every table of every namespace (start-up work such as resuming index
  // backfills; not for request paths).
  std::vector<TableDef> AllTables() const;
  TableStats GetStats(uint64_t table_id) const;
  // An index's entry count and the DynamoDB size of its projected items.
  TableStats GetIndexStats(uint64_t table_id, uint32_t index_id) const;

  // ---- Items -------------------------------------------------------------
  // `key` holds exactly the table's key attributes (already validated).
  std::optional<Item> GetItem(const TableDef& table, const Item& key) const;
  // GetItem that also sets `stored` to the item's stored bytes when there is
  // one (valid until this transaction's next write), for a ReplaceItem.
  std::optional<Item> GetItem(const TableDef& table, const Item& key,
                              std::string_view* stored) const;
  // The stored encoding (storage/item_codec.h) of the item with `key`, valid
  // until this transaction ends; false when there is none.
  bool GetStoredItem(const TableDef& table, const Item& key,
                     std::string_view* stored) const;

  // REQUIRES: writable(). The *Table functions assign ids and keep stats.
  // CreateTable sets table.id.
  void CreateTable(TableDef& table);
  // Removes the catalog entry and every item and index entry of the table.
  void DeleteTable(const TableDef& table);
  // Rewrites the catalog entry of an existing table (same ns, name and id):
  // UpdateTable's billing, attribute and index changes.
  void UpdateTable(const TableDef& table);
  // Removes every entry of one index and its stats (UpdateTable Delete).
  void DropIndex(const TableDef& table, uint32_t index_id);
  // Adds to `index` the entries of at most `max_items` items of `table`,
  // starting strictly after item key `after` ("": from the first item).
  // Returns the last item key visited, or nullopt once no item is left.
  // Entries that live writes already made are kept, so backfill and
  // concurrent writes can interleave chunk by chunk.
  std::optional<std::string> BackfillIndex(const TableDef& table,
                                           const IndexDef& index,
                                           std::string_view after,
                                           size_t max_items);
  // Writes `item` (which contains the key attributes); returns the old item.
  // Every secondary index of `table` is updated in this same transaction
  // (storage/index_codec.h), so batch and transactional writes built on
  // these two calls maintain indexes too.
  std::optional<Item> PutItem(const TableDef& table, const Item& item);
  // What ReplaceItem needs of the version it replaces, which the caller
  // read in this transaction with GetItem(table, key of the new item),
  // nothing having written the item since.
  struct Replaced {
    // Its ItemSize; nullopt when GetItem found no item, which is all the
    // other fields then mean.
    std::optional<size_t> size;
    // The item itself; required only when the table has indexes, so a
    // caller may move it into the new version otherwise.
    const Item* item = nullptr;
    // Its stored bytes (GetItem's `stored`), which spare the undo log of a
    // group commit a lookup; nullopt when not kept.
    std::optional<std::string_view> stored;
  };
  // PutItem for a caller that has just read the item's current version:
  // saves reading and decoding it a second time (UpdateItem's and a
  // conditional PutItem's read-modify-write).
  void ReplaceItem(const TableDef& table, const Item& item,
                   const Replaced& old);
  // PutItem for a caller that needs only the replaced item's ItemSize
  // (nullopt: there was none). The old item is not decoded unless the
  // table's indexes or a digested key need it (BatchWriteItem, PutItem
  // without ReturnValues).
  std::optional<size_t> PutItemOldSize(const TableDef& table, const Item& item);
  std::optional<Item> DeleteItem(const TableDef& table, const Item& key);

  // ---- Raw access, for range scans (Query, Scan) built on top -------------
  // Items: key_codec.h's item_key -> item_codec.h's item.
  MDB_dbi items_dbi() const;
  // Index entries: index_codec.h's index_key -> the base item key.
  MDB_dbi indexes_dbi() const;

 private:
  friend class Storage;
  // The write shared by PutItem, ReplaceItem and PutItemOldSize, once the
  // replaced item is known: `old_size` is its ItemSize (nullopt: none), and
  // `old` the item itself, which only a table with indexes needs.
  // `stored_known`: the caller read the slot in this transaction and
  // `stored` is what it held (nullopt: nothing), which spares an undo log
  // (group commit) a lookup.
  void WriteItem(const TableDef& table, const std::string& key,
                 const Item& item, const Item* old,
                 std::optional<size_t> old_size, bool stored_known,
                 std::optional<std::string_view> stored);
  Txn(Storage* storage, MDB_txn* txn, bool writable, UndoLog* undo = nullptr)
      : storage_(storage), txn_(txn), writable_(writable), undo_(undo) {}
  Storage* storage_;
  MDB_txn* txn_;
  bool writable_;
  // Set while a job runs in a transaction shared with other jobs (group
  // commit): every change is recorded so that a failing job can be undone.
  UndoLog* undo_;
};

// A cursor over one database within a transaction; closed on destruction.
// Keys and values point into the LMDB map and stay valid until the
// transaction ends or (for a write transaction) the next write.
// REQUIRES: the transaction outlives the cursor.
class Cursor {
 public:
  Cursor(const Txn& txn, MDB_dbi dbi);
  Cursor(const Cursor&) = delete;
  Cursor& operator=(const Cursor&) = delete;
  ~Cursor();

  // Each returns whether the cursor now rests on an entry.
  bool Seek(std::string_view key);         // first entry with key >= `key`
  bool SeekForPrev(std::string_view key);  // last entry with key <= `key`
  bool SeekFirst();
  bool SeekLast();
  bool Next();
  bool Prev();

  // REQUIRES: the last positioning call returned true.
  std::string_view key() const;
  std::string_view value() const;

 private:
  bool Get(MDB_cursor_op op);
  MDB_cursor* cursor_ = nullptr;
  MDB_val key_{};
  MDB_val value_{};
};

class Storage {
 public:
  // Opens (creating if needed) the environment. Throws std::runtime_error
  // with a message fit for the user (e.g. a data dir that is not writable).
  static std::unique_ptr<Storage> Open(const StorageOptions& options);
  // Stops the writer after draining its queue, closes LMDB.
  // REQUIRES: no Txn or Cursor outlives the Storage.
  ~Storage();

  Txn BeginRead();

  // Queues `work` for the writer thread: it runs inside a write transaction
  // (perhaps shared with other jobs, see WriteScope), whose changes are kept
  // when `work` returns and discarded when it throws. Once they are committed
  // (or discarded), `done` runs with nullptr or the exception, on the thread
  // that ran the write: the writer thread, the caller itself (fast and
  // in-memory modes, when no write is running), or a run the caller's event
  // loop deferred (when the caller has a deferrer, core/deferral.h). A full
  // database or disk, or an I/O error, fails the write with an
  // InternalServerError ApiError whose message says so (and a log line); `work`
  // should let storage exceptions through (one it swallows still fails the
  // write). Safe to call from any thread. After Shutdown, `done` runs at once
  // on the caller's thread with a std::runtime_error and `work` never runs.
  void SubmitWrite(std::function<void(Txn&)> work,
                   std::function<void(std::exception_ptr)> done,
                   WriteScope scope = WriteScope::kShared);

  // Convenience for tests and start-up: SubmitWrite and wait; rethrows the
  // closure's exception. REQUIRES: not called on the writer thread, nor on
  // a thread with a deferrer (an event loop, core/deferral.h).
  void WriteSync(std::function<void(Txn&)> work,
                 WriteScope scope = WriteScope::kShared);

  // Stops accepting writes, finishes queued ones, joins the writer.
  void Shutdown();

  const StorageOptions& options() const;

  struct Impl;

 private:
  explicit Storage(std::unique_ptr<Impl> impl);
  // SubmitWrite; `may_defer` lets it defer the run to the calling thread's
  // event loop (WriteSync must not: it would block that loop).
  void Submit(std::function<void(Txn&)> work,
              std::function<void(std::exception_ptr)> done, bool may_defer,
              WriteScope scope);
  friend class Txn;
  // Shared so that a deferred run (writer.cc) can outlive the Storage
  // safely: it holds a weak reference and does nothing once it is gone.
  std::shared_ptr<Impl> impl_;
};

}  // namespace ddb
