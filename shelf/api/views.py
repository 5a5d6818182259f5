from django.http import JsonResponse


def resources(request):
    return JsonResponse({"error": "not implemented"}, status=501)


def resource(request, slug):
    return JsonResponse({"error": "not implemented"}, status=501)
