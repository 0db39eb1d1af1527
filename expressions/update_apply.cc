// Applying resolved updates to items (see update.h), with DynamoDB's
// semantics from the Developer Guide's "Update expressions" chapter.
#include <algorithm>
#include <map>

#include "core/api_error.h"
#include "core/decimal.h"
#include "expressions/update.h"
#include "expressions/value_ops.h"

namespace ddb {
namespace {

[[noreturn]] void ThrowInvalidPath() {
  throw ApiError::Validation(
      "The document path provided in the update expression is invalid for "
      "update");
}

[[noreturn]] void ThrowWrongType(bool legacy) {
  throw ApiError::Validation(
      legacy ? "Type mismatch for attribute to update"
             : "An operand in the update expression has an incorrect data "
               "type");
}

// The container holding the last element of `path`: the item itself for a
// top-level name, else the map or list value. Null when it does not exist.
struct Parent {
  Item* item = nullptr;             // top-level
  AttributeValue* value = nullptr;  // nested: a map or list
};

Parent FindParent(Item* item, const DocumentPath& path) {
  if (path.elements.size() == 1) return Parent{item, nullptr};
  DocumentPath parent_path{
      std::vector<PathElement>(path.elements.begin(), path.elements.end() - 1)};
  AttributeValue* value = FindPath(*item, parent_path);
  if (value == nullptr) return Parent{};
  const PathElement& last = path.elements.back();
  if (last.is_index() ? value->type != AttrType::kL
                      : value->type != AttrType::kM) {
    return Parent{};
  }
  return Parent{nullptr, value};
}

bool Exists(const Parent& parent) {
  return parent.item != nullptr || parent.value != nullptr;
}

// The existing value at the end of `path` under `parent`, or null.
AttributeValue* Child(const Parent& parent, const PathElement& last) {
  if (parent.item != nullptr) {
    auto it = parent.item->find(last.name);
    return it == parent.item->end() ? nullptr : &it->second;
  }
  if (last.is_index()) {
    return last.index < parent.value->list.size()
               ? &parent.value->list[last.index]
               : nullptr;
  }
  auto it = parent.value->map.find(last.name);
  return it == parent.value->map.end() ? nullptr : &it->second;
}

void Store(const Parent& parent, const PathElement& last,
           AttributeValue value) {
  if (parent.item != nullptr) {
    parent.item->insert_or_assign(last.name, std::move(value));
  } else if (!last.is_index()) {
    parent.value->map.insert_or_assign(last.name, std::move(value));
  } else if (last.index < parent.value->list.size()) {
    parent.value->list[last.index] = std::move(value);
  } else {
    // DynamoDB appends when SET names an index past the end of the list.
    parent.value->list.push_back(std::move(value));
  }
}

void Erase(const Parent& parent, const PathElement& last) {
  if (parent.item != nullptr) {
    parent.item->erase(last.name);
  } else if (!last.is_index()) {
    parent.value->map.erase(last.name);
  } else if (last.index < parent.value->list.size()) {
    parent.value->list.erase(parent.value->list.begin() + last.index);
  }
}

AttributeValue Compute(const UpdateValue& value, const Item& old_item) {
  switch (value.kind) {
    case UpdateValue::Kind::kValue:
      return value.value;
    case UpdateValue::Kind::kPath: {
      const AttributeValue* found = FindPath(old_item, value.path);
      if (found == nullptr) {
        throw ApiError::Validation(
            "The provided expression refers to an attribute that does not "
            "exist in the item");
      }
      return *found;
    }
    case UpdateValue::Kind::kIfNotExists: {
      const AttributeValue* found = FindPath(old_item, value.args[0].path);
      return found != nullptr ? *found : Compute(value.args[1], old_item);
    }
    case UpdateValue::Kind::kListAppend: {
      AttributeValue first = Compute(value.args[0], old_item);
      AttributeValue second = Compute(value.args[1], old_item);
      if (first.type != AttrType::kL || second.type != AttrType::kL) {
        ThrowWrongType(false);
      }
      for (AttributeValue& element : second.list) {
        first.list.push_back(std::move(element));
      }
      return first;
    }
    case UpdateValue::Kind::kPlus:
    case UpdateValue::Kind::kMinus: {
      AttributeValue left = Compute(value.args[0], old_item);
      AttributeValue right = Compute(value.args[1], old_item);
      if (left.type != AttrType::kN || right.type != AttrType::kN) {
        ThrowWrongType(false);
      }
      Decimal a = Decimal::Parse(left.scalar);
      Decimal b = Decimal::Parse(right.scalar);
      Decimal result =
          value.kind == UpdateValue::Kind::kPlus ? a.Add(b) : a.Subtract(b);
      return AttributeValue::Number(result.ToString());
    }
  }
  return {};
}

void AddMembers(AttributeValue* set, const AttributeValue& members) {
  for (const std::string& member : members.set) {
    if (std::find(set->set.begin(), set->set.end(), member) == set->set.end()) {
      set->set.push_back(member);
    }
  }
}

void ApplyAdd(const UpdateAction& action, Item* item) {
  Parent parent = FindParent(item, action.path);
  if (!Exists(parent)) ThrowInvalidPath();
  const PathElement& last = action.path.elements.back();
  AttributeValue* existing = Child(parent, last);
  const AttributeValue& operand = action.operand;
  if (existing == nullptr) {
    // ADD creates a missing attribute: a number as 0 + operand, a set as
    // the operand's members.
    Store(parent, last, operand);
    return;
  }
  if (existing->type != operand.type) ThrowWrongType(action.legacy);
  if (operand.type == AttrType::kN) {
    Decimal sum =
        Decimal::Parse(existing->scalar).Add(Decimal::Parse(operand.scalar));
    existing->scalar = sum.ToString();
  } else if (operand.type == AttrType::kL) {
    existing->list.insert(existing->list.end(), operand.list.begin(),
                          operand.list.end());
  } else {
    AddMembers(existing, operand);
  }
}

void ApplyDelete(const UpdateAction& action, Item* item) {
  Parent parent = FindParent(item, action.path);
  if (!Exists(parent)) ThrowInvalidPath();
  const PathElement& last = action.path.elements.back();
  AttributeValue* existing = Child(parent, last);
  if (existing == nullptr) return;
  if (existing->type != action.operand.type) ThrowWrongType(action.legacy);
  std::vector<std::string>& members = existing->set;
  for (const std::string& member : action.operand.set) {
    members.erase(std::remove(members.begin(), members.end(), member),
                  members.end());
  }
  // DynamoDB has no empty sets: removing the last member removes the
  // attribute.
  if (members.empty()) Erase(parent, last);
}

// A total order on paths: element by element, names by text, indexes by
// number (a name and an index at one place cannot both occur in a validated
// update; indexes sort first for totality).
int ComparePaths(const DocumentPath& a, const DocumentPath& b) {
  const size_t n = std::min(a.elements.size(), b.elements.size());
  for (size_t i = 0; i < n; ++i) {
    const PathElement& x = a.elements[i];
    const PathElement& y = b.elements[i];
    if (x.is_index() != y.is_index()) return x.is_index() ? -1 : 1;
    if (x.is_index()) {
      if (x.index != y.index) return x.index < y.index ? -1 : 1;
    } else if (int c = x.name.compare(y.name); c != 0) {
      return c < 0 ? -1 : 1;
    }
  }
  if (a.elements.size() == b.elements.size()) return 0;
  return a.elements.size() < b.elements.size() ? -1 : 1;
}

}  // namespace

void ApplyUpdate(const Update& update, Item* item) {
  // Every SET value is computed from the item as it was, so "SET a = b,
  // b = a" swaps: all of them before the first change. ADD and DELETE read
  // only their own paths, which no other action may overlap
  // (CheckPathsDisjoint), so no copy of the old item is needed.
  std::vector<AttributeValue> set_values;
  for (const UpdateAction& action : update.actions) {
    if (action.kind == UpdateAction::Kind::kSet) {
      set_values.push_back(Compute(action.value, *item));
    }
  }
  size_t next_value = 0;
  for (const UpdateAction& action : update.actions) {
    switch (action.kind) {
      case UpdateAction::Kind::kSet: {
        Parent parent = FindParent(item, action.path);
        if (!Exists(parent)) ThrowInvalidPath();
        Store(parent, action.path.elements.back(),
              std::move(set_values[next_value++]));
        break;
      }
      case UpdateAction::Kind::kAdd:
        ApplyAdd(action, item);
        break;
      case UpdateAction::Kind::kDelete:
        ApplyDelete(action, item);
        break;
      case UpdateAction::Kind::kRemove:
        break;
    }
  }
  // Removals last, in descending path order (indexes numerically), so a
  // removal never shifts a list element another removal still names: every
  // index refers to the list as it was, and "REMOVE l[0], l[1]" drops the
  // first two elements rather than the first and third.
  std::vector<const UpdateAction*> removals;
  for (const UpdateAction& action : update.actions) {
    if (action.kind == UpdateAction::Kind::kRemove) removals.push_back(&action);
  }
  std::sort(removals.begin(), removals.end(),
            [](const UpdateAction* a, const UpdateAction* b) {
              return ComparePaths(b->path, a->path) < 0;
            });
  for (const UpdateAction* action : removals) {
    Parent parent = FindParent(item, action->path);
    if (!Exists(parent)) {
      // A missing top-level attribute is fine to remove; a path through a
      // missing or mistyped parent is not.
      ThrowInvalidPath();
    }
    Erase(parent, action->path.elements.back());
  }
}

}  // namespace ddb
