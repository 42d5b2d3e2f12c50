"""The night: journal, Go/NoGo machine, clock, and the steps an operator takes."""
