from .sequences import adding_problem, copy_memory, copy_memory_baseline  # noqa: F401
