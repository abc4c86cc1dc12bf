"""The simulated district (entities): carriers, tenancies, patents, certificates, each year's
enterprise events, recognitions, evaluations and subsidy claims, drawn from a seed.

Interface: `World(scale, years, seed)` draws the district; `World.package(year)` gives that
year's ten datasets as typed, clean frames in the contract's columns. Nothing is written here."""

from orchestration.sample.entities.world import World

__all__ = ["World"]
