from django.http import Http404
from django.shortcuts import redirect, render

from shelf.catalogue import browse as catalogue
from shelf.catalogue.models import Resource


def index(request):
    return redirect("front:resources")


def resources(request):
    try:
        query = catalogue.parse(request.GET)
        results = catalogue.browse(query, request.user)
    except catalogue.QueryError as e:
        return render(request, "front/resources.html", {"error": str(e)}, status=400)
    return render(request, "front/resources.html", {"results": results, "query": query})


def resource(request, slug):
    item = Resource.objects.with_terms().filter(slug=slug).first()
    if item is None or not item.is_visible_to(request.user):
        raise Http404
    return render(request, "front/resource.html", {"resource": item})
