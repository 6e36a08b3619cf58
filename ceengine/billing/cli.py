"""`ceengine billing orders`: the orders and where each one stands."""

from __future__ import annotations

import click
import sqlalchemy as sa

from ceengine.billing import bp
from ceengine.billing.models import STATUSES, Order
from ceengine.billing.problems import order_notes
from ceengine.extensions import db
from ceengine.templating import format_money


@bp.cli.command("orders")
@click.option("--status", type=click.Choice(STATUSES), help="Only orders in this state.")
@click.option("--limit", default=50, show_default=True, help="How many, newest first.")
def orders(status: str | None, limit: int) -> None:
    """List certificate orders: pending, paid, expired, failed, refunded, disputed.

    Under an order: what was paid when a promotion code lowered it, partial refunds, and
    payment problems (a paid session that could not fulfil the order) to act on in Stripe.
    """
    query = sa.select(Order).order_by(Order.created_at.desc(), Order.id.desc()).limit(limit)
    if status:
        query = query.where(Order.status == status)
    rows = list(db.session.scalars(query))
    if not rows:
        click.echo("No orders.")
        return
    click.echo(
        f"{'order':<24} {'status':<9} {'amount':>9}  {'created (UTC)':<16}  "
        f"{'certificate':<17} email"
    )
    for order in rows:
        number = order.certificate.number if order.certificate else "-"
        click.echo(
            f"{order.public_id:<24} {order.status:<9} "
            f"{format_money(order.amount_cents, order.currency):>9}  "
            f"{order.created_at:%Y-%m-%d %H:%M}  {number:<17} {order.details['email']}"
        )
        for note in order_notes(order):
            click.echo(f"    {note}")
