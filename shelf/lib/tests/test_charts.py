from shelf.lib import charts


def test_it_ends_the_axis_on_a_round_number():
    for n, expected in [(0, 1), (1, 1), (3, 5), (7, 10), (18, 20), (101, 200), (5000, 5000)]:
        assert charts.nice_ceiling(n) == expected, n


def test_it_draws_columns_in_proportion_to_their_values():
    chart = charts.columns(["d1", "d2"], [("views", "Views", [10, 5]), ("dl", "Downloads", [0, 2])])
    views = [r for r in chart.rects if r.css == "views"]
    assert [r.value for r in views] == [10, 5]
    assert views[0].height == 2 * views[1].height
    assert all(r.y + r.height == chart.plot_bottom for r in chart.rects)
    assert [t.text for t in chart.ticks] == ["0", "5", "10"]
    assert [x.text for x in chart.xlabels] == ["d1", "d2"]


def test_it_draws_nothing_tall_for_no_data():
    chart = charts.columns(["d1"], [("views", "Views", [0])])
    assert chart.rects[0].height == 0


def test_it_draws_bars_largest_as_the_full_width():
    chart = charts.bars([("A guide", 8), ("A poster", 2)])
    first, second = chart.rects
    assert first.width == 4 * second.width
    assert first.label == "A guide" and second.value == 2
    assert first.end == first.x + first.width
    assert chart.height == 2 * charts.ROW + 4
