// Storage: the LMDB environment, its transactions, and the single writer
// thread through which every write and DDL change passes.
//
// Reads run on the caller's thread in short read-only transactions
// (MDB_NOTLS, so any thread may own one); LMDB's MVCC never blocks them.
// Writes are closures run on the writer thread, one LMDB write transaction
// each: the closure returning commits, throwing aborts.
#pragma once

#include <lmdb.h>

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

// What a commit promises. Measured on the 2-core development VM (virtio
// disk), one small PutItem per WriteSync round trip (CommitLatencyTest):
// durable 0.7-4 ms median, 3-8 ms mean (an fdatasync each); fast 13-15 us
// median.
enum class Durability {
  // fdatasync on every commit (LMDB's default): a commit survives an OS
  // crash or power loss.
  kDurable,
  // MDB_NOSYNC: commits reach the OS page cache but are not flushed, so they
  // survive a process crash or kill -9, while an OS crash or power loss may
  // lose the most recent commits. The writer flushes (mdb_env_sync) pending
  // commits about once a second, bounding that window to about a second. LMDB's
  // docs add that on a filesystem that does not keep write
  // order an OS crash could also damage the file: kDurable is the choice
  // when the data must outlive the machine, not just the process.
  kFast,
};

struct StorageOptions {
  std::string data_dir = "./data";
  bool in_memory = false;  // nothing survives the process
  Durability durability = Durability::kFast;
  uint64_t map_size = uint64_t{64} << 30;  // LMDB map size (virtual)
};

class Storage;

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
  std::optional<TableDef> GetTable(std::string_view ns,
                                   std::string_view name) const;
  // Names in `ns` in ascending byte order, strictly after `start_after` (when
  // non-empty), at most `limit` of them.
  std::vector<std::string> ListTables(std::string_view ns,
                                      std::string_view start_after,
                                      size_t limit) const;
  TableStats GetStats(uint64_t table_id) const;
  // An index's entry count and the DynamoDB size of its projected items.
  TableStats GetIndexStats(uint64_t table_id, uint32_t index_id) const;

  // ---- Items -------------------------------------------------------------
  // `key` holds exactly the table's key attributes (already validated).
  std::optional<Item> GetItem(const TableDef& table, const Item& key) const;

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
  std::optional<Item> DeleteItem(const TableDef& table, const Item& key);

  // ---- Raw access, for range scans (Query, Scan) built on top -------------
  // Items: key_codec.h's item_key -> item_codec.h's item.
  MDB_dbi items_dbi() const;
  // Index entries: index_codec.h's index_key -> the base item key.
  MDB_dbi indexes_dbi() const;

 private:
  friend class Storage;
  Txn(Storage* storage, MDB_txn* txn, bool writable)
      : storage_(storage), txn_(txn), writable_(writable) {}
  Storage* storage_;
  MDB_txn* txn_;
  bool writable_;
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

  // Queues `work` for the writer thread: it runs inside one write
  // transaction, which commits when `work` returns and aborts when it throws.
  // Then `done` runs on the writer thread with nullptr or the exception.
  // Safe to call from any thread. After Shutdown, `done` runs at once on
  // the caller's thread with a std::runtime_error and `work` never runs.
  void SubmitWrite(std::function<void(Txn&)> work,
                   std::function<void(std::exception_ptr)> done);

  // Convenience for tests and start-up: SubmitWrite and wait; rethrows the
  // closure's exception. REQUIRES: not called on the writer thread.
  void WriteSync(std::function<void(Txn&)> work);

  // Stops accepting writes, finishes queued ones, joins the writer.
  void Shutdown();

  const StorageOptions& options() const;

  struct Impl;

 private:
  explicit Storage(std::unique_ptr<Impl> impl);
  friend class Txn;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ddb
