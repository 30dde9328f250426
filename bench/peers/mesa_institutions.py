"""The institutions of the Mesa peer model: regional NKVD directorates, the troika, the courts.

Each is a Mesa agent with its own state and one ``step`` (or ``run_operation``)
that the model calls once a day. The rules are greatterror's (docs/ODD.md;
model/steps_register_selection.py ``RegisterSelection``, model/troika.py, model/steps_justice.py
``Sentencing``), restated here on agent objects; the people they act on are
``mesa_terror.Person`` agents.
"""

from __future__ import annotations

import math
from collections import deque
from typing import TYPE_CHECKING

import mesa

if TYPE_CHECKING:
    from mesa_terror import Person, TerrorModel

#: Positions of a register tried per person put on an arrest list before giving up
#: (greatterror: model/registers.py ``LIST_TRIES``).
LIST_TRIES = 16
#: Positions of a region tried per person drawn by a profile (model/line_draws.py).
PROFILE_TRIES = 64


def scheduled_pace(pace: float, days_since_launch: int, term_days: float) -> float:
    """The share of what is left of its goal that a region arrests today: ``pace``, and in
    the order's planned term (``operation_term_days`` from the launch) at least enough to
    finish by its end."""
    left = term_days - days_since_launch
    if days_since_launch < 0 or left < 1:
        return pace
    return max(pace, 1.0 / left)


class Directorate(mesa.Agent):
    """A regional NKVD directorate: Order 00447 arrests towards the region's limits."""

    def __init__(self, model: TerrorModel, region: int, officers: float):
        super().__init__(model)
        self.region = region
        self.officers = officers
        self.start_delay = model.inputs.start_delay[region]  # days after the launch
        self.listed = 0.0  # the first category's July list arrested (full-population)
        self.residents: list[Person] = []  # the region's people, in the population's order
        self.register: list[Person] = []  # on the order's register
        self.limit = [0.0, 0.0]  # category 1, category 2 (full-population people)
        self.used = [0.0, 0.0]
        self.asked: float | None = None  # category-1 share of the last increase granted
        self.arrested = 0.0  # under the order, full-population people
        self.goal: float | None = None  # the goal last rounded, full-population people
        self.goal_persons = 0  # ... rounded to whole sampled people
        self.last_increase = -1  # day of the region's last dated increase
        self.closed = False  # the order has ended here by a dated decision

    def wished_share(self, first_category: bool, constant: float) -> float:
        """The troika's chance of wishing category 1 for a case of this region: 1 for a case
        of the first category's July list; for any other, the share of category 1 in what is
        left of the two limits; once both are used up, the share of category 1 in the last
        increase granted (of known composition), or else in the limits; ``constant`` for a
        region without limits."""
        if first_category:
            return 1.0
        left1 = max(self.limit[0] - self.used[0], 0.0)
        left2 = max(self.limit[1] - self.used[1], 0.0)
        if left1 + left2 > 0:
            return left1 / (left1 + left2)
        if self.asked is not None:
            return self.asked
        total = self.limit[0] + self.limit[1]
        return self.limit[0] / total if total > 0 else constant

    def persons_left(self) -> int:
        """Sampled people still to arrest: the goal (limits times the overfill) rounded to
        whole people stochastically each time it changes, less those arrested."""
        model = self.model
        goal = (self.limit[0] + self.limit[1]) * model.p["overfill_target"]
        if goal != self.goal:
            units = goal / model.weight
            whole = math.floor(units)
            self.goal_persons = whole + (model.random.random() < units - whole)
            self.goal = goal
        return max(self.goal_persons - round(self.arrested / model.weight), 0)

    def run_operation(self, days_since_launch: int) -> None:
        """From the region's start, the first blow and a share of what is left of the goal
        within the officers' capacity; most from the register (as its lines' lists take
        them), some of anyone in the region of the profile of the order's "other anti-Soviet
        elements"."""
        model, p = self.model, self.model.p
        since = days_since_launch - self.start_delay
        left = 0 if self.closed or since < 0 else self.persons_left()
        if left == 0:
            return
        pace = scheduled_pace(p["operation_pace"], days_since_launch, p["operation_term_days"])
        # the first blow: what is left of the first category's July list (the initial
        # category-1 limit) over the days left of the first ``first_blow_days``, beyond the
        # officers' capacity (model/order_start.py)
        blow = 0.0
        days_left = p["first_blow_days"] - since
        if days_left > 0:
            initial = model.inputs.initial_cat1[self.region]
            blow = max(initial - self.listed, 0.0) / max(days_left, 1.0)
        wanted = min(pace * left * model.weight, p["nkvd_capacity"] * self.officers) + blow
        share = min(blow / wanted, 1.0) if wanted > 0 else 0.0
        n = min(int(model.rng.poisson(wanted * model.scale)), left)
        if n == 0:
            return
        unmarked = int(model.rng.binomial(n, p["unmarked_share_00447"]))
        listed = [self.from_list() for _ in range(n - unmarked)]
        model.arrest([x for x in listed if x is not None], "kulak", True, share)
        other = [self.of_profile() for _ in range(unmarked)]
        model.arrest([x for x in other if x is not None], "kulak", True, share)

    def from_list(self) -> Person | None:
        """One person of the register put on the arrest list as the order's category takes
        him (accepted by line and sex); no one if ``LIST_TRIES`` draws are refused."""
        if not self.register:
            return None
        accept, rand = self.model.inputs.accept, self.model.random.random
        for _ in range(LIST_TRIES):
            person = self.register[int(rand() * len(self.register))]
            if rand() < accept[person.mark_line][person.male]:
                return person
        return None

    def of_profile(self) -> Person | None:
        """One resident of the profile's sex (a man with its share of men) and ages."""
        if not self.residents:
            return None
        inputs, rand = self.model.inputs, self.model.random.random
        male = rand() < inputs.other_male_share
        low, high = inputs.other_ages
        for _ in range(PROFILE_TRIES):
            person = self.residents[int(rand() * len(self.residents))]
            if person.male == male and low <= person.age <= high:
                return person
        return None


class Troika(mesa.Agent):
    """The troika channel: a backlog decided in order, within throughput; within each region's
    limits where they allow, beyond them where not."""

    def __init__(self, model: TerrorModel, capacity: float):
        super().__init__(model)
        self.capacity = capacity  # full-population cases a day
        self.backlog: deque[Person] = deque()
        self.carry = 0.0  # capacity a day could not use
        self.decided = 0.0  # cases decided so far, full-population people

    def step(self) -> None:
        model, p = self.model, self.model.p
        if not self.backlog:
            self.carry = 0.0
            return
        budget = self.capacity + self.carry
        spent = 0.0
        waiting, self.backlog = self.backlog, deque()
        w = model.weight
        for person in waiting:
            # drawn for every waiting case, as greatterror draws them
            u_wish = model.random.random()
            u = model.random.random()
            if spent >= budget:
                self.backlog.append(person)  # not reached today
                continue
            directorate = model.directorates[person.region]
            wish = directorate.wished_share(person.first_category, p["cat1_share_troika"])
            first = 1 if u_wish < wish else 2
            for category in (first, 3 - first):
                left = directorate.limit[category - 1] - directorate.used[category - 1]
                if left >= w or (left > 0 and u < left / w):
                    break
            else:
                category = first  # no limit left: the wished category, beyond the limit
            directorate.used[category - 1] += w
            person.first_category = False
            person.sentence("death" if category == 1 else "camp")
            spent += w
        self.carry = budget - spent
        self.decided += spent


class Court(mesa.Agent):
    """The Special Board or the ordinary courts, for the cases of ordinary work: a queue
    decided in order as far as the day's capacity pays for whole cases."""

    def __init__(self, model: TerrorModel, capacity: float, death_share: float):
        super().__init__(model)
        self.capacity = capacity
        self.death_share = death_share  # -1: the channel cannot pass a death sentence
        self.backlog: deque[Person] = deque()
        self.carry = 0.0

    def step(self) -> None:
        model = self.model
        if not self.backlog:
            self.carry = 0.0
            return
        budget = self.capacity + self.carry
        spent = 0.0
        while self.backlog and spent + model.weight <= budget:
            person = self.backlog.popleft()
            spent += model.weight
            u, v = model.random.random(), model.random.random()
            if u < self.death_share:
                person.sentence("death")
            elif v < model.p["exile_share"]:
                person.sentence("exile")
            else:
                person.sentence("camp")
        # unused capacity carries over only while cases wait
        self.carry = budget - spent if self.backlog else 0.0
