"""Rehearsals: scripted scenarios run on a simulated clock, and every path checked."""
