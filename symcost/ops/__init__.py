"""Operations: the rule table (data users extend) and the cost formulas that turn a
node's facts into matmuls and communication atoms. May import: core, algebra, labels."""
