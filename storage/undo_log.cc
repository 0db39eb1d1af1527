#include "storage/undo_log.h"

#include "storage/storage_impl.h"

namespace ddb {

void UndoLog::Record(MDB_dbi dbi, std::string_view key,
                     const std::string_view* old) {
  Entry record{dbi, old != nullptr, data_.size(), key.size(),
               old != nullptr ? old->size() : 0};
  data_.append(key);
  if (old != nullptr) data_.append(*old);
  records_.push_back(record);
}

void UndoLog::Rollback(MDB_txn* txn) {
  for (auto it = records_.rbegin(); it != records_.rend(); ++it) {
    MDB_val k{it->key_size, data_.data() + it->offset};
    if (it->existed) {
      MDB_val v{it->value_size, data_.data() + it->offset + it->key_size};
      storage_internal::Check(mdb_put(txn, it->dbi, &k, &v, 0), "roll back",
                              mdb_txn_env(txn));
    } else {
      const int rc = mdb_del(txn, it->dbi, &k, nullptr);
      if (rc != MDB_NOTFOUND) {
        storage_internal::Check(rc, "roll back", mdb_txn_env(txn));
      }
    }
  }
  Clear();
}

bool UndoLog::FirstChange(MDB_dbi dbi, std::string_view key) {
  for (const auto& [seen_dbi, seen_key] : changed_once_) {
    if (seen_dbi == dbi && seen_key == key) return false;
  }
  changed_once_.emplace_back(dbi, key);
  return true;
}

void UndoLog::Reset() {
  Clear();
  constexpr size_t kKeptBytes = size_t{1} << 20;
  if (data_.capacity() > kKeptBytes) std::string().swap(data_);
  if (records_.capacity() * sizeof(Entry) > kKeptBytes) {
    std::vector<Entry>().swap(records_);
  }
  broken_ = false;
  written_ = 0;
}

void UndoLog::Clear() {
  records_.clear();
  data_.clear();
  changed_once_.clear();
}

}  // namespace ddb
