from ninja import NinjaAPI

api = NinjaAPI(title="Préau API", version="1", urls_namespace="api")
