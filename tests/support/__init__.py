"""Test support shared by the suite: real servers on loopback and a strict request validator."""
