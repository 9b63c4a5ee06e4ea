$CONVCALC params exercises/assignment.spec
