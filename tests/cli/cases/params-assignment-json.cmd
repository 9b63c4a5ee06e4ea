$CONVCALC params exercises/assignment.spec --format json
