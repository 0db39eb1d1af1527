#include "storage/storage.h"

#include <spdlog/spdlog.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

#include "core/api_error.h"
#include "core/decimal.h"
#include "storage/catalog_codec.h"
#include "storage/coding.h"
#include "storage/in_memory_dir.h"
#include "storage/index_codec.h"
#include "storage/item_codec.h"
#include "storage/key_codec.h"
#include "storage/lmdb_access.h"
#include "storage/storage_impl.h"
#include "storage/undo_log.h"

namespace ddb {
namespace {

namespace fs = std::filesystem;

// Every I/O thread may hold a read transaction, plus scans and tests.
constexpr unsigned kMaxReaders = 512;
constexpr MDB_dbi kMaxDbs = 8;
constexpr char kNextTableIdKey[] = "next_table_id";

// Logs a storage failure the client is told about, at most once per
// kFailureLogInterval: a full disk fails every write, and one line a write
// would bury the log.
constexpr auto kFailureLogInterval = std::chrono::seconds(10);
std::mutex failure_log_mu;
std::chrono::steady_clock::time_point last_failure_log;  // guarded
long suppressed_failure_logs = 0;                        // guarded

}  // namespace

namespace storage_internal {

void LogStorageFailure(const std::string& message) {
  const auto now = std::chrono::steady_clock::now();
  long suppressed = 0;
  {
    std::lock_guard<std::mutex> lock(failure_log_mu);
    if (last_failure_log.time_since_epoch().count() != 0 &&
        now - last_failure_log < kFailureLogInterval) {
      ++suppressed_failure_logs;
      return;
    }
    last_failure_log = now;
    suppressed = suppressed_failure_logs;
    suppressed_failure_logs = 0;
  }
  if (suppressed > 0) {
    spdlog::error("storage: {} ({} more like it since the last report)",
                  message, suppressed);
  } else {
    spdlog::error("storage: {}", message);
  }
}

std::string FullMessage(uint64_t limit) {
  return "dynalocal's database is full (max size " +
         std::to_string(limit >> 20) +
         " MiB); raise --max-db-size or delete data";
}

void Check(int rc, const char* what, MDB_env* env) {
  if (rc == MDB_SUCCESS) return;
  std::string message;
  switch (rc) {
    case MDB_MAP_FULL: {
      const auto* limit =
          env == nullptr
              ? nullptr
              : static_cast<const uint64_t*>(mdb_env_get_userctx(env));
      message = FullMessage(limit == nullptr ? 0 : *limit);
      break;
    }
    case ENOSPC:
    case EDQUOT:
      message = "dynalocal cannot write its database: the disk is full (" +
                std::string(mdb_strerror(rc)) + "); free space and retry";
      break;
    case EFBIG:
      message =
          "dynalocal cannot write its database: the file size limit was "
          "reached (" +
          std::string(mdb_strerror(rc)) + ")";
      break;
    case EIO:
      message = "dynalocal cannot write its database: I/O error (" +
                std::string(mdb_strerror(rc)) + ")";
      break;
    case MDB_PANIC:
      message =
          "dynalocal's database had a fatal write error and must be "
          "restarted (" +
          std::string(mdb_strerror(rc)) + ")";
      break;
    default:
      throw std::runtime_error(std::string("storage: ") + what + ": " +
                               mdb_strerror(rc));
  }
  LogStorageFailure(std::string(what) + " failed: " + message);
  throw ApiError::Internal(std::move(message));
}

}  // namespace storage_internal

namespace {

using storage_internal::Check;
using storage_internal::Del;
using storage_internal::DeletePrefix;
using storage_internal::FromVal;
using storage_internal::Get;
using storage_internal::IndexStatsKey;
using storage_internal::Put;
using storage_internal::ReadStats;
using storage_internal::Replacing;
using storage_internal::StatsKey;
using storage_internal::ToVal;
using storage_internal::Writes;
using storage_internal::WriteStats;

bool SameKeyValue(const AttributeValue& a, const AttributeValue& b) {
  if (a.type != b.type) return false;
  if (a.scalar == b.scalar) return true;
  // Both sides should be canonical, but numbers compare by value so that
  // a non-canonical spelling can never be taken for a collision.
  return a.type == AttrType::kN &&
         Decimal::Parse(a.scalar) == Decimal::Parse(b.scalar);
}

bool SameKeyAttribute(const KeyAttribute& attr, const Item& a, const Item& b) {
  auto ia = a.find(attr.name);
  auto ib = b.find(attr.name);
  return ia != a.end() && ib != b.end() && SameKeyValue(ia->second, ib->second);
}

// Digested key parts (long keys) can collide; the stored item carries the
// full key, so comparing it tells the stored item from a colliding one.
bool SameKey(const TableDef& table, const Item& a, const Item& b) {
  return SameKeyAttribute(table.hash_key, a, b) &&
         (!table.range_key || SameKeyAttribute(*table.range_key, a, b));
}

std::string ErrnoText(int err) { return std::strerror(err); }

bool IsPermissionError(int err) {
  return err == EACCES || err == EPERM || err == EROFS;
}

// mkdir -p, but every directory it creates is private (0700): the data of
// a test backend is nobody else's business.
std::error_code MakePrivateDirs(const fs::path& dir) {
  std::error_code ec;
  if (fs::is_directory(dir, ec)) return {};
  const fs::path parent = dir.parent_path();
  if (!parent.empty() && parent != dir) {
    if (std::error_code e = MakePrivateDirs(parent)) return e;
  }
  if (mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return std::error_code(errno, std::system_category());
  }
  return {};
}

// Creates the directory if needed and checks that LMDB can create files in
// it, so that the user sees the cause rather than an LMDB error code. An
// existing directory keeps its permissions.
void PrepareDataDir(const std::string& dir) {
  std::error_code ec;
  if (fs::exists(dir, ec) && !fs::is_directory(dir, ec)) {
    throw std::runtime_error("data directory " + dir + " is not a directory");
  }
  ec = MakePrivateDirs(dir);
  if (ec) {
    const char* what =
        IsPermissionError(ec.value()) ? "is not writable" : "cannot be created";
    throw std::runtime_error("data directory " + dir + " " + what + ": " +
                             ErrnoText(ec.value()));
  }
  if (access(dir.c_str(), W_OK | X_OK) != 0) {
    throw std::runtime_error("data directory " + dir +
                             " is not writable: " + ErrnoText(errno));
  }
}

}  // namespace

// ---- Impl -------------------------------------------------------------------

uint64_t Storage::Impl::LivePages(MDB_txn* txn) const {
  uint64_t pages = 0;
  for (MDB_dbi dbi : {catalog, stats, items, indexes, meta}) {
    MDB_stat stat;
    Check(mdb_stat(txn, dbi, &stat), "stat", env);
    pages += stat.ms_branch_pages + stat.ms_leaf_pages + stat.ms_overflow_pages;
  }
  return pages;
}

// ---- Storage ----------------------------------------------------------------

Storage::Storage(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {
  impl_->owner = this;
}

std::unique_ptr<Storage> Storage::Open(const StorageOptions& options) {
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  const std::string dir =
      options.in_memory ? MakeInMemoryDir() : options.data_dir;
  if (!options.in_memory) PrepareDataDir(dir);

  // Removes the in-memory directory however Open ends; LMDB keeps the open
  // (unlinked) files alive until the environment closes.
  struct InMemoryCleanup {
    std::string dir;
    ~InMemoryCleanup() {
      if (dir.empty()) return;
      std::error_code ec;
      fs::remove_all(dir, ec);
    }
  } cleanup{options.in_memory ? dir : ""};

  Check(mdb_env_create(&impl->env), "create environment");
  // LMDB's map is larger than the limit on the data (see RunWork): by a
  // sixteenth, and at least 2 MiB, for copy-on-write and freelist pages.
  impl->size_limit = options.map_size;
  const uint64_t headroom = std::max(uint64_t{2} << 20, options.map_size / 16);
  const uint64_t lmdb_map_size = options.map_size > UINT64_MAX - headroom
                                     ? UINT64_MAX
                                     : options.map_size + headroom;
  Check(mdb_env_set_mapsize(impl->env, lmdb_map_size), "set map size");
  Check(mdb_env_set_userctx(impl->env, &impl->size_limit), "set user context");
  Check(mdb_env_set_maxreaders(impl->env, kMaxReaders), "set max readers");
  Check(mdb_env_set_maxdbs(impl->env, kMaxDbs), "set max databases");

  // MDB_NOTLS: read transactions belong to the object, not the thread, so
  // an I/O thread may run many and any thread may end them.
  unsigned flags = MDB_NOTLS;
  // Syncing a tmpfs file would buy nothing for an in-memory environment.
  if (options.in_memory || options.durability == Durability::kFast) {
    flags |= MDB_NOSYNC;
  }
  impl->periodic_sync =
      !options.in_memory && options.durability == Durability::kFast;
  impl->caller_runs =
      options.writes_on_caller &&
      (options.in_memory || options.durability == Durability::kFast);
  // Files LMDB creates are private like the directory; existing ones keep
  // their mode.
  int rc = mdb_env_open(impl->env, dir.c_str(), flags, 0600);
  if (rc != MDB_SUCCESS) {
    if (IsPermissionError(rc)) {
      throw std::runtime_error("data directory " + dir +
                               " is not writable: " + ErrnoText(rc));
    }
    throw std::runtime_error("cannot open the database in " + dir + ": " +
                             mdb_strerror(rc));
  }
  if (options.in_memory) {
    // The mappings and descriptors stay valid after unlink on Linux, and
    // nothing is left behind even if the process is killed.
    std::error_code ec;
    fs::remove_all(dir, ec);
    if (ec) {
      throw std::runtime_error("cannot remove the in-memory directory " + dir +
                               ": " + ec.message());
    }
    cleanup.dir.clear();
  }
  MDB_stat env_stat;
  Check(mdb_env_stat(impl->env, &env_stat), "stat environment");
  impl->page_size = env_stat.ms_psize;
  impl->limit_pages = impl->size_limit / impl->page_size;
  if (mdb_env_get_maxkeysize(impl->env) < static_cast<int>(kMaxLmdbKeySize)) {
    throw std::runtime_error("LMDB's maximum key size is below " +
                             std::to_string(kMaxLmdbKeySize) + " bytes");
  }
  if (!options.in_memory) {
    // Reader slots of a crashed earlier process would pin old pages forever.
    int dead = 0;
    mdb_reader_check(impl->env, &dead);
  }

  MDB_txn* txn = nullptr;
  Check(mdb_txn_begin(impl->env, nullptr, 0, &txn), "begin transaction");
  struct Opener {
    MDB_txn* txn;
    void operator()(const char* name, MDB_dbi* dbi) const {
      int rc = mdb_dbi_open(txn, name, MDB_CREATE, dbi);
      if (rc != MDB_SUCCESS) {
        mdb_txn_abort(txn);
        Check(rc, "open database");
      }
    }
  } open{txn};
  open("catalog", &impl->catalog);
  open("stats", &impl->stats);
  open("items", &impl->items);
  open("meta", &impl->meta);
  open("indexes", &impl->indexes);
  Check(mdb_txn_commit(txn), "commit database creation", impl->env);

  std::unique_ptr<Storage> storage(new Storage(std::move(impl)));
  Impl* raw = storage->impl_.get();
  raw->writer = std::thread([raw] { raw->WriterLoop(); });
  raw->writer_id = raw->writer.get_id();
  return storage;
}

Storage::~Storage() {
  Shutdown();
  // Only when the writer itself destroys the Storage is it still joinable;
  // it cannot join itself.
  if (impl_->writer.joinable()) impl_->writer.detach();
}

const StorageOptions& Storage::options() const { return impl_->options; }

Txn Storage::BeginRead() {
  MDB_txn* txn = nullptr;
  Check(mdb_txn_begin(impl_->env, nullptr, MDB_RDONLY, &txn),
        "begin read transaction");
  return Txn(this, txn, /*writable=*/false);
}

// ---- Txn --------------------------------------------------------------------

Txn::Txn(Txn&& other) noexcept
    : storage_(other.storage_),
      txn_(other.txn_),
      writable_(other.writable_),
      undo_(other.undo_) {
  other.txn_ = nullptr;
}

Txn::~Txn() {
  if (txn_ != nullptr) mdb_txn_abort(txn_);
}

MDB_dbi Txn::items_dbi() const { return storage_->impl_->items; }
MDB_dbi Txn::indexes_dbi() const { return storage_->impl_->indexes; }

TableRef Txn::GetTable(std::string_view ns, std::string_view name) const {
  const std::string key = CatalogKey(ns, name);
  std::string_view value;
  if (!Get(txn_, storage_->impl_->catalog, key, &value)) return nullptr;
  return storage_->impl_->table_defs.Get(key, value);
}

std::vector<std::string> Txn::ListTables(std::string_view ns,
                                         std::string_view start_after,
                                         size_t limit) const {
  std::vector<std::string> names;
  if (limit == 0) return names;
  const std::string prefix = CatalogKey(ns, "");
  Cursor cursor(*this, storage_->impl_->catalog);
  bool ok = cursor.Seek(CatalogKey(ns, start_after));
  if (ok && !start_after.empty() &&
      cursor.key() == CatalogKey(ns, start_after)) {
    ok = cursor.Next();
  }
  for (; ok && names.size() < limit; ok = cursor.Next()) {
    std::string_view key = cursor.key();
    if (!key.starts_with(prefix)) break;
    names.emplace_back(key.substr(prefix.size()));
  }
  return names;
}

std::vector<TableDef> Txn::AllTables() const {
  std::vector<TableDef> tables;
  Cursor cursor(*this, storage_->impl_->catalog);
  for (bool ok = cursor.SeekFirst(); ok; ok = cursor.Next()) {
    tables.push_back(DecodeTableDef(cursor.value()));
  }
  return tables;
}

TableStats Txn::GetStats(uint64_t table_id) const {
  return ReadStats(txn_, storage_->impl_->stats, StatsKey(table_id));
}

TableStats Txn::GetIndexStats(uint64_t table_id, uint32_t index_id) const {
  return ReadStats(txn_, storage_->impl_->stats,
                   IndexStatsKey(table_id, index_id));
}

std::optional<Item> Txn::GetItem(const TableDef& table, const Item& key) const {
  std::string_view stored;
  return GetItem(table, key, &stored);
}

std::optional<Item> Txn::GetItem(const TableDef& table, const Item& key,
                                 std::string_view* stored) const {
  std::string_view value;
  if (!Get(txn_, storage_->impl_->items, EncodeItemKey(table, key), &value)) {
    return std::nullopt;
  }
  Item item = DecodeItem(value);
  // A different key behind the same digest means the requested item cannot
  // exist: it would occupy this very slot.
  if (!SameKey(table, item, key)) return std::nullopt;
  *stored = value;
  return item;
}

bool Txn::GetStoredItem(const TableDef& table, const Item& key,
                        std::string_view* stored) const {
  if (!Get(txn_, storage_->impl_->items, EncodeItemKey(table, key), stored)) {
    return false;
  }
  // As in GetItem: behind a digested key the slot may hold another item.
  return !ItemKeyIsDigested(table, key) ||
         SameKey(table, DecodeItem(*stored), key);
}

void Txn::CreateTable(TableDef& table) {
  if (!writable_) throw std::logic_error("CreateTable in a read transaction");
  const Storage::Impl& impl = *storage_->impl_;
  uint64_t id = 1;
  std::string_view value;
  if (Get(txn_, impl.meta, kNextTableIdKey, &value)) {
    if (value.size() != 8) throw std::runtime_error("corrupt table id counter");
    id = DecodeFixed64BE(value.data());
  }
  std::string next;
  AppendFixed64BE(id + 1, &next);
  Put(Writes{txn_, undo_}, impl.meta, kNextTableIdKey, next);

  TableDef stored = table;
  stored.id = id;
  const std::string catalog_key = CatalogKey(table.ns, table.name);
  if (Put(Writes{txn_, undo_}, impl.catalog, catalog_key,
          EncodeTableDef(stored), MDB_NOOVERWRITE) == MDB_KEYEXIST) {
    throw std::runtime_error("storage: table " + table.name +
                             " already exists");
  }
  table.id = id;
}

void Txn::DeleteTable(const TableDef& table) {
  if (!writable_) throw std::logic_error("DeleteTable in a read transaction");
  const Storage::Impl& impl = *storage_->impl_;
  // Only drop the catalog entry if it still names this very table; a newer
  // table of the same name has another id and must survive.
  TableRef current = GetTable(table.ns, table.name);
  if (current && current->id == table.id) {
    Del(Writes{txn_, undo_}, impl.catalog, CatalogKey(table.ns, table.name));
  }
  // Table stats and index stats share the table-id prefix.
  DeletePrefix(Writes{txn_, undo_}, impl.stats, StatsKey(table.id));
  DeletePrefix(Writes{txn_, undo_}, impl.items, TableKeyPrefix(table.id));
  DeletePrefix(Writes{txn_, undo_}, impl.indexes, TableKeyPrefix(table.id));
}

void Txn::UpdateTable(const TableDef& table) {
  if (!writable_) throw std::logic_error("UpdateTable in a read transaction");
  TableRef current = GetTable(table.ns, table.name);
  if (!current || current->id != table.id) {
    throw std::runtime_error("storage: table " + table.name +
                             " changed while being updated");
  }
  Put(Writes{txn_, undo_}, storage_->impl_->catalog,
      CatalogKey(table.ns, table.name), EncodeTableDef(table));
}

void Txn::DropIndex(const TableDef& table, uint32_t index_id) {
  if (!writable_) throw std::logic_error("DropIndex in a read transaction");
  const Storage::Impl& impl = *storage_->impl_;
  DeletePrefix(Writes{txn_, undo_}, impl.indexes,
               IndexKeyPrefix(table.id, index_id));
  Del(Writes{txn_, undo_}, impl.stats, IndexStatsKey(table.id, index_id));
}

std::optional<std::string> Txn::BackfillIndex(const TableDef& table,
                                              const IndexDef& index,
                                              std::string_view after,
                                              size_t max_items) {
  if (!writable_) throw std::logic_error("BackfillIndex in a read transaction");
  const Storage::Impl& impl = *storage_->impl_;
  const std::string prefix = TableKeyPrefix(table.id);
  const std::string stats_key = IndexStatsKey(table.id, index.id);
  TableStats stats = GetIndexStats(table.id, index.id);
  std::optional<std::string> last;
  // Entries are written while the cursor walks the items database, a
  // different database, so the cursor stays valid.
  Cursor cursor(*this, impl.items);
  bool on = after.empty() ? cursor.Seek(prefix) : cursor.Seek(after);
  if (on && !after.empty() && cursor.key() == after) on = cursor.Next();
  size_t visited = 0;
  for (; on && visited < max_items; on = cursor.Next()) {
    const std::string item_key(cursor.key());
    if (!std::string_view(item_key).starts_with(prefix)) break;
    ++visited;
    last = item_key;
    Item item = DecodeItem(cursor.value());
    if (!ItemInIndex(index, item)) continue;
    const std::string entry = EncodeIndexKey(index, item, item_key);
    if (Put(Writes{txn_, undo_}, impl.indexes, entry, item_key,
            MDB_NOOVERWRITE) == MDB_KEYEXIST) {
      continue;  // a live write indexed it already
    }
    ++stats.item_count;
    stats.size_bytes += ItemSize(ProjectForIndex(table, index, item));
  }
  WriteStats(Writes{txn_, undo_}, impl.stats, stats_key, stats);
  // The cursor rests on the next item to index, if the table has one.
  if (!on || !cursor.key().starts_with(prefix)) return std::nullopt;
  return last;
}

namespace {

// Applies the index delta of one item write (index_codec.h) and keeps each
// index's stats exact. An entry may be missing while its index backfills, so
// stats follow what was actually removed or added.
void ApplyIndexDelta(const Writes& w, MDB_dbi indexes, MDB_dbi stats_dbi,
                     const TableDef& table, const std::string& item_key,
                     const Item* old_item, const Item* new_item) {
  if (table.indexes.empty()) return;
  for (const IndexChange& change :
       ComputeIndexDelta(table, item_key, old_item, new_item)) {
    const IndexDef& index = *change.index;
    const std::string stats_key = IndexStatsKey(table.id, index.id);
    TableStats stats = ReadStats(w.txn, stats_dbi, stats_key);
    bool old_present = false;
    if (change.old_key) {
      if (change.new_key && *change.new_key == *change.old_key) {
        std::string_view ignored;
        old_present = Get(w.txn, indexes, *change.old_key, &ignored);
      } else {
        old_present = Del(w, indexes, *change.old_key);
      }
      if (old_present) {
        stats.item_count -= 1;
        stats.size_bytes -= ItemSize(ProjectForIndex(table, index, *old_item));
      }
    }
    if (change.new_key) {
      Put(w, indexes, *change.new_key, item_key);
      stats.item_count += 1;
      stats.size_bytes += ItemSize(ProjectForIndex(table, index, *new_item));
    }
    WriteStats(w, stats_dbi, stats_key, stats);
  }
}

}  // namespace

namespace {

// A write whose encoded key leads to another item (a key digest collision,
// key_codec.h) must not overwrite it.
[[noreturn]] void RefuseDigestCollision(const TableDef& table) {
  throw std::runtime_error("storage: key digest collision in table " +
                           table.name + "; refusing to overwrite another item");
}

}  // namespace

std::optional<Item> Txn::PutItem(const TableDef& table, const Item& item) {
  if (!writable_) throw std::logic_error("PutItem in a read transaction");
  const std::string key = EncodeItemKey(table, item);
  std::optional<Item> old;
  std::string_view value;
  std::optional<std::string_view> stored;
  if (Get(txn_, storage_->impl_->items, key, &value)) {
    stored = value;
    old = DecodeItem(value);
    if (!SameKey(table, *old, item)) RefuseDigestCollision(table);
  }
  WriteItem(table, key, item, old ? &*old : nullptr,
            old ? std::optional<size_t>(ItemSize(*old)) : std::nullopt,
            /*stored_known=*/true, stored);
  return old;
}

void Txn::ReplaceItem(const TableDef& table, const Item& item,
                      const Replaced& old) {
  if (!writable_) throw std::logic_error("ReplaceItem in a read transaction");
  const std::string key = EncodeItemKey(table, item);
  if (!old.size) {
    // GetItem answers "absent" for a slot that holds another item behind
    // the same key digest: that item must not be overwritten. Otherwise
    // the slot was just found empty, which the undo log is told.
    std::string_view value;
    if (Get(txn_, storage_->impl_->items, key, &value)) {
      RefuseDigestCollision(table);
    }
    WriteItem(table, key, item, nullptr, std::nullopt, /*stored_known=*/true,
              std::nullopt);
    return;
  }
  if (old.item == nullptr && !table.indexes.empty()) {
    throw std::logic_error("ReplaceItem: the index delta needs the old item");
  }
  WriteItem(table, key, item, old.item, old.size,
            /*stored_known=*/old.stored.has_value(), old.stored);
}

std::optional<size_t> Txn::PutItemOldSize(const TableDef& table,
                                          const Item& item) {
  if (!writable_) throw std::logic_error("PutItem in a read transaction");
  const std::string key = EncodeItemKey(table, item);
  std::string_view value;
  if (!Get(txn_, storage_->impl_->items, key, &value)) {
    WriteItem(table, key, item, nullptr, std::nullopt, /*stored_known=*/true,
              std::nullopt);
    return std::nullopt;
  }
  if (table.indexes.empty() && !ItemKeyIsDigested(table, item)) {
    // The size from the encoding: no Item tree is built.
    const size_t old_size = StoredItemSize(value);
    WriteItem(table, key, item, nullptr, old_size, /*stored_known=*/true,
              value);
    return old_size;
  }
  // The index delta needs the old item, and behind a digest its key must
  // be checked.
  const Item old = DecodeItem(value);
  if (!SameKey(table, old, item)) RefuseDigestCollision(table);
  const size_t old_size = ItemSize(old);
  WriteItem(table, key, item, &old, old_size, /*stored_known=*/true, value);
  return old_size;
}

void Txn::WriteItem(const TableDef& table, const std::string& key,
                    const Item& item, const Item* old,
                    std::optional<size_t> old_size, bool stored_known,
                    std::optional<std::string_view> stored) {
  const Storage::Impl& impl = *storage_->impl_;
  Put(Writes{txn_, undo_}, impl.items, key, EncodeItem(item), 0,
      Replacing{.known = stored_known, .stored = stored});
  ApplyIndexDelta(Writes{txn_, undo_}, impl.indexes, impl.stats, table, key,
                  old, &item);

  TableStats stats = GetStats(table.id);
  if (old_size) {
    stats.size_bytes -= *old_size;
  } else {
    ++stats.item_count;
  }
  stats.size_bytes += ItemSize(item);
  WriteStats(Writes{txn_, undo_}, impl.stats, StatsKey(table.id), stats);
}

std::optional<Item> Txn::DeleteItem(const TableDef& table, const Item& key) {
  if (!writable_) throw std::logic_error("DeleteItem in a read transaction");
  const Storage::Impl& impl = *storage_->impl_;
  const std::string item_key = EncodeItemKey(table, key);
  std::string_view value;
  if (!Get(txn_, impl.items, item_key, &value)) return std::nullopt;
  Item old = DecodeItem(value);
  if (!SameKey(table, old, key)) return std::nullopt;
  Del(Writes{txn_, undo_}, impl.items, item_key);
  ApplyIndexDelta(Writes{txn_, undo_}, impl.indexes, impl.stats, table,
                  item_key, &old, nullptr);

  TableStats stats = GetStats(table.id);
  stats.item_count -= 1;
  stats.size_bytes -= ItemSize(old);
  WriteStats(Writes{txn_, undo_}, impl.stats, StatsKey(table.id), stats);
  return old;
}

// ---- Cursor -----------------------------------------------------------------

Cursor::Cursor(const Txn& txn, MDB_dbi dbi) {
  Check(mdb_cursor_open(txn.raw(), dbi, &cursor_), "open cursor");
}

Cursor::~Cursor() {
  if (cursor_ != nullptr) mdb_cursor_close(cursor_);
}

bool Cursor::Get(MDB_cursor_op op) {
  int rc = mdb_cursor_get(cursor_, &key_, &value_, op);
  if (rc == MDB_NOTFOUND) return false;
  Check(rc, "cursor");
  return true;
}

bool Cursor::Seek(std::string_view key) {
  key_ = ToVal(key);
  return Get(MDB_SET_RANGE);
}

bool Cursor::SeekForPrev(std::string_view key) {
  if (!Seek(key)) return SeekLast();
  if (this->key() == key) return true;
  return Prev();
}

bool Cursor::SeekFirst() { return Get(MDB_FIRST); }
bool Cursor::SeekLast() { return Get(MDB_LAST); }
bool Cursor::Next() { return Get(MDB_NEXT); }
bool Cursor::Prev() { return Get(MDB_PREV); }

std::string_view Cursor::key() const { return FromVal(key_); }
std::string_view Cursor::value() const { return FromVal(value_); }

}  // namespace ddb