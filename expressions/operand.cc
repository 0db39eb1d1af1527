#include "expressions/operand.h"

namespace ddb {

OperandAst ParseOperand(TokenCursor& cursor) {
  OperandAst operand;
  const Token& token = cursor.Peek();
  if (token.kind == TokenKind::kValuePlaceholder) {
    operand.kind = OperandAst::Kind::kValue;
    operand.name = std::string(cursor.Next().text);
    return operand;
  }
  if (token.kind == TokenKind::kIdentifier &&
      cursor.PeekSecond().kind == TokenKind::kLeftParen) {
    operand.kind = OperandAst::Kind::kFunction;
    operand.name = std::string(cursor.Next().text);
    cursor.Next();  // '('
    do {
      operand.args.push_back(ParseOperand(cursor));
    } while (cursor.Accept(TokenKind::kComma));
    cursor.Expect(TokenKind::kRightParen);
    return operand;
  }
  operand.kind = OperandAst::Kind::kPath;
  operand.path = ParsePath(cursor);
  return operand;
}

const AttributeValue& ResolveValue(const std::string& placeholder,
                                   const ResolveContext& context) {
  if (context.values != nullptr) {
    auto it = context.values->find(placeholder);
    if (it != context.values->end()) {
      if (context.used_values != nullptr) {
        context.used_values->insert(placeholder);
      }
      return it->second;
    }
  }
  ThrowInvalidExpression(
      context.parameter,
      "An expression attribute value used in expression is not defined; "
      "attribute value: " +
          placeholder);
}

}  // namespace ddb
