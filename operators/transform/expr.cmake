# The expression language of the transforms (operators/transform/expr.h): lexer, parser, binder,
# syntax tree, evaluator, numbers/temporals, functions, CAST and cast type names, one file each.
target_sources(sluice_transform PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/expr_lex.c
  ${CMAKE_CURRENT_LIST_DIR}/expr_parse.c
  ${CMAKE_CURRENT_LIST_DIR}/expr_tree.c
  ${CMAKE_CURRENT_LIST_DIR}/expr_bind.c
  ${CMAKE_CURRENT_LIST_DIR}/expr_eval.c
  ${CMAKE_CURRENT_LIST_DIR}/expr_num.c
  ${CMAKE_CURRENT_LIST_DIR}/expr_func.c
  ${CMAKE_CURRENT_LIST_DIR}/expr_cast.c
  ${CMAKE_CURRENT_LIST_DIR}/expr_type.c)
